import ArgumentParser
import CSIDriver
import CSINode
import CSIStartup
import Logging
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

    @OptionGroup var endpoint: EndpointOption

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

    @OptionGroup var plugin: PluginOptions<NodeRole>

    func validate() throws {
        guard deviceDir.hasPrefix("/") else { throw ValidationError("--device-dir must be an absolute path") }
        if let vfsDir, !vfsDir.hasPrefix("/") { throw ValidationError("--vfs-dir must be an absolute path") }
        guard (0...3600).contains(deviceWait) else { throw ValidationError("--device-wait must be 0 to 3600 seconds") }
        guard maxVolumesPerNode >= 0 else { throw ValidationError("--max-volumes-per-node must not be negative") }
        if let nodeID, nodeID.isEmpty { throw ValidationError("--node-id must not be empty") }
        if let region, region.isEmpty { throw ValidationError("--region must not be empty") }
    }

    func run() async throws {
        let launch = try PluginLaunch(endpoint: endpoint, options: plugin, methods: NodeMetrics.methods)
        var logger = Logger(label: "csi-node")
        let identity = launch.identity
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
        let metrics = launch.registry.map { _ in NodeMetrics() }
        let locator = DeviceLocator(directory: deviceDir, wait: .seconds(deviceWait))
        let nodeService = NodeService(
            configuration: .init(nodeID: nodeID, region: region, maxVolumesPerNode: Int64(maxVolumesPerNode),
                                 locator: locator, vfsDirectory: vfsDir),
            mounter: metrics.map { $0.metered(LinuxMounter()) } ?? LinuxMounter(), encryption: LinuxVolumeEncryption(), logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "region": .string(region), "device.dir": .string(deviceDir),
                                           "vfs.dir": .string(vfsDir ?? "none (virtiofs)")])
        try await launch.serve(logger) { server in
            identityService.register(on: server)
            nodeService.register(on: server)
        }
    }
}

/// csi-node's words in the shared options' help.
enum NodeRole: PluginRole {
    static let metricsAddressHelp =
        "Serve /metrics (Prometheus text: per-RPC counts and latency, mounts and their failures) and /healthz on HOST:PORT."
}

/// csi-node's `--metrics-address` figures beyond the per-RPC ones (`csi_rpc_requests_total{method,code}`,
/// `csi_rpc_duration_seconds{method}`, made by ``PluginLaunch`` for ``methods``): the changes the
/// node service makes (`csi_node_operations_total{operation,result}`,
/// `csi_node_operation_duration_seconds{operation}`: mount, bind_mount, unmount, format, grow).
/// Made once, after the registry is bootstrapped.
struct NodeMetrics: Sendable {
    static let methods = [
        "/csi.v1.Identity/GetPluginInfo", "/csi.v1.Identity/GetPluginCapabilities", "/csi.v1.Identity/Probe",
        "/csi.v1.Node/NodeStageVolume", "/csi.v1.Node/NodeUnstageVolume", "/csi.v1.Node/NodePublishVolume",
        "/csi.v1.Node/NodeUnpublishVolume", "/csi.v1.Node/NodeExpandVolume", "/csi.v1.Node/NodeGetVolumeStats",
        "/csi.v1.Node/NodeGetCapabilities", "/csi.v1.Node/NodeGetInfo",
    ]

    let operations = CallMetrics(
        total: "csi_node_operations_total", duration: "csi_node_operation_duration_seconds",
        key: "operation", outcome: "result", names: MeteredMounter.operations)

    /// `mounter`, reporting its changes to the node here.
    func metered(_ mounter: any Mounter) -> any Mounter {
        let operations = self.operations
        return MeteredMounter(mounter) { operation, failed, duration in
            operations.observe(operation, outcome: failed ? "error" : "ok", duration: duration)
        }
    }
}
