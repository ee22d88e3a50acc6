import ArgumentParser
import CSIDriver
import CSINode
import Logging
import MetricsHTTP
import RPC
import Telemetry

@main
struct CSINode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csi-node",
        abstract: "Mooring CSI node plugin: the CSI Identity and Node services on a Unix socket.",
        discussion: """
        The Node service formats (ext4, xfs), mounts, publishes, expands and reports on the block \
        volumes attached to this node; it finds each disk as DEVICE-DIR/virtio-<mount_id>. \
        A VFS (shared) volume is mounted with virtiofs by its mount tag, or, with --vfs-dir on a \
        local cloud, bind-mounted from that directory. \
        Volumes whose context says encrypted=true are LUKS2 (cryptsetup) with the passphrase from \
        the node-stage secret "encryption-passphrase". NodeGetInfo reports the region as topology \
        key topology.block.csi.mooring.dev/region. Probe reports ready only when the filesystem \
        tools it runs are installed. Without --node-id or --region, both come from the instance \
        metadata service.
        """,
        version: MooringVersion.string
    )

    @Option(help: "gRPC endpoint: unix:///ABSOLUTE/PATH (a bare absolute path also works).")
    var endpoint = "unix:///csi/csi.sock"

    @Option(name: .customLong("node-id"), help: "This node's cloud instance id (default: from the metadata service).")
    var nodeID: String?

    @Option(help: "This node's cloud region (default: from the metadata service).")
    var region: String?

    @Option(name: .customLong("metadata-url"), help: "Instance metadata document, read when --node-id or --region is missing.")
    var metadataURL = InstanceMetadataReader.defaultURL

    @Option(name: .customLong("device-dir"), help: "Where attached disks appear as virtio-<mount_id> links.")
    var deviceDir = "/dev/disk/by-id"

    @Option(name: .customLong("vfs-dir"), help: "Local cloud only: the localcloud's --vfs-dir; a VFS is bind-mounted from there where a cloud instance mounts virtiofs <mount_tag>.")
    var vfsDir: String?

    @Option(name: .customLong("device-wait"), help: "Seconds to wait for an attached disk to appear under --device-dir.")
    var deviceWait: Int = 30

    @Option(name: .customLong("max-volumes-per-node"), help: "Volumes this node can have attached, reported by NodeGetInfo.")
    var maxVolumesPerNode: Int = 16

    @Option(name: .customLong("driver-name"), help: "CSI driver name reported by GetPluginInfo.")
    var driverName = DriverIdentity.defaultName

    @Option(name: .customLong("metrics-address"), help: "Serve /metrics (Prometheus text: per-RPC counts and latency, mounts and their failures) and /healthz on HOST:PORT.")
    var metricsAddress: String?

    @Option(name: .customLong("log-format"), help: "Log line format: text or json.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard deviceDir.hasPrefix("/") else { throw ValidationError("--device-dir must be an absolute path") }
        if let vfsDir, !vfsDir.hasPrefix("/") { throw ValidationError("--vfs-dir must be an absolute path") }
        guard (0...3600).contains(deviceWait) else { throw ValidationError("--device-wait must be 0 to 3600 seconds") }
        guard maxVolumesPerNode >= 0 else { throw ValidationError("--max-volumes-per-node must not be negative") }
        if let nodeID, nodeID.isEmpty { throw ValidationError("--node-id must not be empty") }
        if let region, region.isEmpty { throw ValidationError("--region must not be empty") }
        if let metricsAddress, !NodeMetrics.isValid(address: metricsAddress) {
            throw ValidationError("--metrics-address must be HOST:PORT, got \"\(metricsAddress)\"")
        }
    }

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        var logger = Logger(label: "csi-node")
        let identity: DriverIdentity
        let endpoint: Endpoint
        do {
            identity = try DriverIdentity(name: driverName, version: MooringVersion.string)
            endpoint = try Endpoint(parsing: self.endpoint)
        } catch {
            throw ValidationError(error.message)
        }
        var nodeID = self.nodeID, region = self.region
        if nodeID == nil || region == nil {
            do {
                let metadata = try await InstanceMetadataReader(url: metadataURL).fetch()
                nodeID = nodeID ?? metadata.instanceID
                region = region ?? metadata.region
            } catch {
                logger.critical("--node-id/--region not given and the metadata service failed: \(error)")
                throw ExitCode(1)
            }
        }
        guard let nodeID, let region else { throw ExitCode(1) }
        logger[metadataKey: "node.id"] = .string(nodeID)

        let identityService = IdentityService(
            identity: identity,
            capabilities: PluginCapabilities.mooring,
            readiness: [NodeToolsCheck()], logger: logger)
        var metrics: NodeMetrics?
        if let metricsAddress {
            do { metrics = try await NodeMetrics.start(address: metricsAddress, logger: logger) } catch {
                logger.critical("cannot serve metrics on \(metricsAddress): \(error)")
                throw ExitCode(1)
            }
        }
        let locator = DeviceLocator(directory: deviceDir, wait: .seconds(deviceWait))
        let nodeService = NodeService(
            configuration: .init(nodeID: nodeID, region: region, maxVolumesPerNode: Int64(maxVolumesPerNode),
                                 locator: locator, vfsDirectory: vfsDir),
            mounter: metrics.map { $0.metered(LinuxMounter()) } ?? LinuxMounter(), encryption: LinuxVolumeEncryption(), logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "region": .string(region), "device.dir": .string(deviceDir),
                                           "vfs.dir": .string(vfsDir ?? "none (virtiofs)")])
        do {
            var plugin = PluginServer(endpoint: endpoint, logger: logger)
            plugin.onCall = metrics.map { $0.observe }
            try await plugin.run { server in
                identityService.register(on: server)
                nodeService.register(on: server)
            }
        } catch let error as RPCError {
            logger.critical("cannot serve: \(error.message)")
            throw ExitCode(1)
        }
    }
}

/// csi-node's `--metrics-address` figures, served at `/metrics` with `/healthz` beside them:
/// per-RPC counts by status code and latency histograms (`csi_rpc_requests_total{method,code}`,
/// `csi_rpc_duration_seconds{method}` — stage, publish, expand and the rest), and the changes the
/// node service makes (`csi_node_operations_total{operation,result}`,
/// `csi_node_operation_duration_seconds{operation}`: mount, bind_mount, unmount, format, grow).
struct NodeMetrics: Sendable {
    static let methods = [
        "/csi.v1.Identity/GetPluginInfo", "/csi.v1.Identity/GetPluginCapabilities", "/csi.v1.Identity/Probe",
        "/csi.v1.Node/NodeStageVolume", "/csi.v1.Node/NodeUnstageVolume", "/csi.v1.Node/NodePublishVolume",
        "/csi.v1.Node/NodeUnpublishVolume", "/csi.v1.Node/NodeExpandVolume", "/csi.v1.Node/NodeGetVolumeStats",
        "/csi.v1.Node/NodeGetCapabilities", "/csi.v1.Node/NodeGetInfo",
    ]

    let server: MetricsServer
    let calls: CallMetrics
    let operations: CallMetrics

    static func isValid(address: String) -> Bool { MetricsServer.parse(address: address) != nil }

    /// Binds `address` (`HOST:PORT`, validated) and starts serving.
    static func start(address: String, logger: Logger) async throws -> NodeMetrics {
        let (host, port) = MetricsServer.parse(address: address) ?? ("", 0)
        let registry = PrometheusRegistry()
        let server = try await MetricsServer.start(host: host, port: port, registry: registry)
        logger.info("serving metrics", metadata: ["metrics.address": .string("\(host):\(server.port)")])
        return NodeMetrics(
            server: server, calls: .rpc(registry: registry, prefix: "csi_rpc", methods: methods),
            operations: CallMetrics(
                registry: registry, total: "csi_node_operations_total", duration: "csi_node_operation_duration_seconds",
                key: "operation", outcome: "result", names: MeteredMounter.operations))
    }

    /// For ``PluginServer/onCall``.
    func observe(_ record: CallRecord) {
        calls.observe(record.method, outcome: record.code.description, duration: record.duration)
    }

    /// `mounter`, reporting its changes to the node here.
    func metered(_ mounter: any Mounter) -> any Mounter {
        let operations = self.operations
        return MeteredMounter(mounter) { operation, failed, duration in
            operations.observe(operation, outcome: failed ? "error" : "ok", duration: duration)
        }
    }
}
