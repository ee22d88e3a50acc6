import CloudAPI
import CSIDriver
import CSI
import Logging
import RPC

/// The CSI Controller service: volumes, attachments and snapshots as block storage calls, and
/// shared (ReadWriteMany) volumes as Vultr File System calls.
///
/// Volume ids are the cloud's block ids, or `vfs-` and the cloud's VFS id (``VolumeHandle``); a
/// volume's label is its CSI name, which is how a retried CreateVolume finds what an earlier
/// attempt made. Snapshot descriptions carry snapshot names
/// the same way. Every mutation holds a per-volume (or per-name) in-flight guard, so a second
/// operation on the same volume while one runs gets `ABORTED`.
public struct ControllerService: Sendable {
    public struct Options: Sendable {
        /// Region for volumes created without accessibility requirements.
        public var defaultRegion: String?
        /// Volumes one node may have attached, enforced by ControllerPublish (0: the cloud's own limit).
        public var maxVolumesPerNode: Int
        /// How long a new volume usually stays pending; the first status check waits this long.
        public var provisioningDelay: Duration
        /// Upper bound for waits when the caller gave no deadline.
        public var defaultWait: Duration
        /// Whether ControllerGetCapabilities lists GET_SNAPSHOT (CSI 1.12). GetSnapshot is served
        /// either way; see `advertisedRPCs(getSnapshot:)` for why it is off by default.
        public var advertiseGetSnapshot: Bool

        public init(defaultRegion: String? = nil, maxVolumesPerNode: Int = 0,
                    provisioningDelay: Duration = .milliseconds(500), defaultWait: Duration = .seconds(120),
                    advertiseGetSnapshot: Bool = false) {
            self.defaultRegion = defaultRegion
            self.maxVolumesPerNode = maxVolumesPerNode
            self.provisioningDelay = provisioningDelay
            self.defaultWait = defaultWait
            self.advertiseGetSnapshot = advertiseGetSnapshot
        }
    }

    /// What GetPluginCapabilities may say about a process serving this service.
    public static let pluginCapabilities = PluginCapabilities.mooring

    /// Every Controller method's path starts with this; `serve` logs each of their calls.
    public static let methodPrefix = "/csi.v1.Controller/"
    /// Longest volume or snapshot name accepted (it becomes the cloud label or description;
    /// Kubernetes object names stop at 253 characters).
    static let maximumNameBytes = 253

    public let cloud: any ControllerCloud
    /// Where VFS volumes (`storage_type: vfs`) live; nil when the cloud offers none, and then
    /// such volumes are refused. Defaults to `cloud` itself when it offers them (`VultrClient` does).
    public let fileSystems: (any FileSystems)?
    public let options: Options
    public let logger: Logger
    let inFlight: InFlight

    public init(cloud: any ControllerCloud, fileSystems: (any FileSystems)? = nil, options: Options = Options(),
                logger: Logger, inFlight: InFlight = InFlight()) {
        self.cloud = cloud
        self.fileSystems = fileSystems ?? (cloud as? any FileSystems)
        self.options = options
        self.logger = logger
        self.inFlight = inFlight
    }

    public func register(on server: RPCServer) {
        typealias C = CSIService.Controller
        server.handle(C.controllerGetCapabilities) { _, _ in self.capabilities() }
        server.handle(C.createVolume) { request, context in try await self.createVolume(request, context) }
        server.handle(C.deleteVolume) { request, context in try await self.deleteVolume(request, context) }
        server.handle(C.controllerPublishVolume) { request, context in try await self.publishVolume(request, context) }
        server.handle(C.controllerUnpublishVolume) { request, context in try await self.unpublishVolume(request, context) }
        server.handle(C.validateVolumeCapabilities) { request, context in try await self.validateVolumeCapabilities(request, context) }
        server.handle(C.listVolumes) { request, context in try await self.listVolumes(request, context) }
        server.handle(C.controllerGetVolume) { request, context in try await self.getVolume(request, context) }
        server.handle(C.controllerExpandVolume) { request, context in try await self.expandVolume(request, context) }
        server.handle(C.createSnapshot) { request, context in try await self.createSnapshot(request, context) }
        server.handle(C.deleteSnapshot) { request, context in try await self.deleteSnapshot(request, context) }
        server.handle(C.listSnapshots) { request, context in try await self.listSnapshots(request, context) }
        server.handle(C.getSnapshot) { request, context in try await self.getSnapshot(request, context) }
        // GetCapacity is not served: the cloud API cannot say how much block storage is left.
        // ControllerModifyVolume is not served: volumes have no mutable parameters.
    }

    /// Runs one RPC with a logger whose every line names the method and the volume (or snapshot)
    /// it concerns; failures are logged with the status they will become.
    func serve<T: Sendable>(_ context: CallContext, _ subject: Logger.Metadata,
                            _ body: (Logger) async throws -> T) async throws -> T {
        var log = logger
        log[metadataKey: "rpc.method"] = .string(context.method)
        for (key, value) in subject { log[metadataKey: key] = Self.bounded(value) }
        let start = ContinuousClock.now
        do {
            let result = try await body(log)
            log.debug("done", metadata: ["rpc.duration_ms": .stringConvertible((ContinuousClock.now - start).milliseconds)])
            return result
        } catch {
            let status = StatusMapping.status(for: error)
            log.log(level: status.code == .internal ? .warning : .info, "failed: \(BoundedText.cut(status.message, toBytes: 1024))", metadata: ["rpc.code": .string(status.code.description),
                                                         "rpc.duration_ms": .stringConvertible((ContinuousClock.now - start).milliseconds)])
            throw error
        }
    }

    /// Names and ids come from the request and may be huge (a 1 MiB "volume id" is refused, but
    /// its failure is still logged): log lines keep a bounded prefix.
    static func bounded(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        if case .string(let text) = value { return .string(BoundedText.cut(text, toBytes: 256)) }
        return value
    }

    /// When waits in this call must end: the caller's deadline, less enough to answer in time —
    /// a tenth of the time left, at least 250 ms (1.5 s of a sidecar's 15 s), so a loaded node
    /// still gets the driver's own DEADLINE_EXCEEDED, naming what it waited for, before the
    /// caller gives up.
    func waitDeadline(_ context: CallContext) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        let fallback = now.advanced(by: options.defaultWait)
        guard let deadline = context.deadline else { return fallback }
        let margin = max(.milliseconds(250), now.duration(to: deadline) / 10)
        return min(fallback, deadline.advanced(by: .zero - margin))
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
