import CSI
import CSIDriver
import Logging
import RPC

/// The CSI Node service: turns the disk the cloud attached into a filesystem (or a raw device)
/// at the paths the CO names, grows it and reports on it. Every method is idempotent; calls on
/// different volumes run concurrently, and a second call on a volume whose operation is still
/// running gets `ABORTED` (the sidecars retry).
public struct NodeService: Sendable {
    public struct Configuration: Sendable {
        /// This node's cloud instance id, reported as the CSI node id.
        public var nodeID: String
        public var region: String
        /// Volumes this node can have attached (0: no limit reported).
        public var maxVolumesPerNode: Int64
        public var locator: DeviceLocator
        /// The local cloud's stand-in for virtiofs (`--vfs-dir`): a VFS attached with mount tag T
        /// is the directory `<vfsDirectory>/tags/T` links to, bind-mounted where a cloud instance
        /// mounts `virtiofs T`. nil on a real cloud.
        public var vfsDirectory: String?

        public init(nodeID: String, region: String, maxVolumesPerNode: Int64, locator: DeviceLocator,
                    vfsDirectory: String? = nil) {
            self.nodeID = nodeID
            self.region = region
            self.maxVolumesPerNode = maxVolumesPerNode
            self.locator = locator
            self.vfsDirectory = vfsDirectory
        }
    }

    /// The node RPCs served, and so advertised in NodeGetCapabilities.
    public static let capabilities: [NodeServiceCapability.RPC.`Type`] = [
        .stageUnstageVolume, .getVolumeStats, .expandVolume, .volumeCondition, .singleNodeMultiWriter,
    ]

    public let configuration: Configuration
    public let mounter: any Mounter
    public let encryption: any VolumeEncryption
    public let logger: Logger
    let inFlight = InFlight()

    public init(configuration: Configuration, mounter: any Mounter, encryption: any VolumeEncryption, logger: Logger) {
        self.configuration = configuration
        self.mounter = mounter
        self.encryption = encryption
        self.logger = logger
    }

    public func register(on server: RPCServer) {
        server.handle(CSIService.Node.nodeStageVolume) { request, context in try await self.stage(request, context) }
        server.handle(CSIService.Node.nodeUnstageVolume) { request, _ in try await self.unstage(request) }
        server.handle(CSIService.Node.nodePublishVolume) { request, context in try await self.publish(request, context) }
        server.handle(CSIService.Node.nodeUnpublishVolume) { request, _ in try await self.unpublish(request) }
        server.handle(CSIService.Node.nodeGetVolumeStats) { request, _ in try await self.volumeStats(request) }
        server.handle(CSIService.Node.nodeExpandVolume) { request, _ in try await self.expand(request) }
        server.handle(CSIService.Node.nodeGetCapabilities) { _, _ in self.nodeCapabilities() }
        server.handle(CSIService.Node.nodeGetInfo) { _, _ in self.nodeInfo() }
    }

    func nodeInfo() -> NodeGetInfoResponse {
        var response = NodeGetInfoResponse()
        response.nodeId = configuration.nodeID
        response.maxVolumesPerNode = configuration.maxVolumesPerNode
        response.accessibleTopology = RegionTopology.topology(region: configuration.region)
        return response
    }

    func nodeCapabilities() -> NodeGetCapabilitiesResponse {
        var response = NodeGetCapabilitiesResponse()
        response.capabilities = ServiceCapabilities.node(Self.capabilities)
        return response
    }

    // MARK: Shared checks

    static func volumeID(_ id: String) throws(DriverError) -> String {
        guard !id.isEmpty else { throw DriverError.invalidArgument("volume_id is required") }
        guard id.utf8.count <= 128, !id.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) else {
            throw DriverError.invalidArgument("volume_id must be at most 128 printable characters")
        }
        return id
    }

    /// The volume id and volume path of a stats or expand request, checked; the optional staging
    /// path is checked too when given. Unlike the paths stage and publish create, `volume_path`
    /// only names a volume that should already be there: a missing one is `INVALID_ARGUMENT`, but
    /// one that cannot name a published volume (relative, unclean) is `NOT_FOUND`, as the CSI spec
    /// and csi-sanity have it for "no volume at that path".
    static func volumeAndPath(_ id: String, volumePath: String,
                              stagingTargetPath: String) throws(DriverError) -> (volumeID: String, path: String) {
        let volumeID = try volumeID(id)
        guard !volumePath.isEmpty else { throw DriverError.invalidArgument("volume_path is required") }
        let path: String
        do {
            path = try VolumePath.validate(volumePath, field: "volume_path")
        } catch {
            throw DriverError.notFound("no volume \(volumeID) at volume_path: \(error.message)")
        }
        if !stagingTargetPath.isEmpty {
            _ = try VolumePath.validate(stagingTargetPath, field: "staging_target_path")
        }
        return (volumeID, path)
    }

    /// The access type of a capability the node can serve; throws `INVALID_ARGUMENT` otherwise.
    static func accessType(_ capability: VolumeCapability?,
                           for storage: StorageType = .block) throws(DriverError) -> VolumeCapability.AccessTypeOneOf {
        guard let capability else { throw DriverError.invalidArgument("volume_capability is required") }
        guard let type = capability.accessType else {
            throw DriverError.invalidArgument("volume_capability must say mount or block access")
        }
        guard let mode = capability.accessMode?.mode, mode != .unknown else {
            throw DriverError.invalidArgument("volume_capability.access_mode is required")
        }
        // The same rule the controller applies: for a block, single-node modes only, ext4 or xfs;
        // for a VFS, mount access in any mode.
        if let problem = VolumeCapabilityCheck.problem(with: capability, for: storage) { throw DriverError.invalidArgument(problem) }
        return type
    }

    /// Whether the capability's access mode only allows reading.
    static func readOnlyMode(_ capability: VolumeCapability?) -> Bool {
        switch capability?.accessMode?.mode {
        case .singleNodeReaderOnly?, .multiNodeReaderOnly?: true
        default: false
        }
    }

    /// Unmounts everything stacked at `path`, innermost last; a path with nothing mounted is fine.
    func unmountAll(_ path: String) async throws {
        for _ in 0..<8 {
            guard !(try await mounter.mounts(at: path)).isEmpty else { return }
            try await mounter.unmount(path)
        }
        throw DriverError.internal("\(path) is still mounted after 8 unmounts")
    }
}
