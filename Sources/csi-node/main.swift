import ArgumentParser
import CSIDriver
import Logging
import RPC
import Telemetry

@main
struct CSINode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csi-node",
        abstract: "Mooring CSI node plugin: the CSI Identity and Node services on a Unix socket.",
        discussion: """
        This version serves the Identity service (GetPluginInfo, GetPluginCapabilities, Probe). \
        The Node service (stage, publish, expand, stats) is not built yet and answers UNIMPLEMENTED. \
        Probe reports ready only when the filesystem tools the node service runs are installed.
        """,
        version: MooringVersion.string
    )

    @Option(help: "gRPC endpoint: unix:///ABSOLUTE/PATH (a bare absolute path also works).")
    var endpoint = "unix:///csi/csi.sock"

    @Option(name: .customLong("node-id"), help: "This node's cloud instance id. Required in this version (the metadata-service lookup is not built yet).")
    var nodeID: String

    @Option(help: "This node's cloud region. Required in this version (the metadata-service lookup is not built yet).")
    var region: String

    @Option(name: .customLong("device-dir"), help: "Where attached disks appear as virtio-<mount_id> links.")
    var deviceDir = "/dev/disk/by-id"

    @Option(name: .customLong("driver-name"), help: "CSI driver name reported by GetPluginInfo.")
    var driverName = DriverIdentity.defaultName

    @Option(name: .customLong("log-format"), help: "Log line format: text or json.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        var logger = Logger(label: "csi-node")
        logger[metadataKey: "node.id"] = .string(nodeID)
        let identity: DriverIdentity
        let endpoint: Endpoint
        do {
            identity = try DriverIdentity(name: driverName)
            endpoint = try Endpoint(parsing: self.endpoint)
        } catch {
            throw ValidationError(error.message)
        }
        let service = IdentityService(identity: identity,
                                      capabilities: PluginCapabilities.advertised(controllerService: false),
                                      readiness: [NodeToolsCheck()], logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "region": .string(region), "device.dir": .string(deviceDir)])
        do {
            try await PluginServer(endpoint: endpoint, logger: logger).run { service.register(on: $0) }
        } catch let error as RPCError {
            logger.critical("cannot serve: \(error.message)")
            throw ExitCode(1)
        }
    }
}
