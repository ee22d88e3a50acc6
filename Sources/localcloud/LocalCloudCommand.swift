import ArgumentParser
import Foundation
import LocalCloud
import Logging
import MetricsHTTP
import ServiceLifecycle
import Telemetry

@main
struct LocalCloudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "localcloud",
        abstract: "A local cloud speaking the Vultr v2 API dialect, with state on disk and loop-device volumes.",
        version: MooringVersion.string)

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen: String = "127.0.0.1:8090"

    @Option(help: "Directory for the state database and volume files.")
    var dataDir: String

    @Option(help: "Directory for virtio-<mount_id> device symlinks (default DATA_DIR/dev).")
    var deviceDir: String?

    @Option(help: "Directory for VFS contents: one directory per VFS, and tags/<mount_tag> links that csi-node --vfs-dir bind-mounts (default DATA_DIR/vfs).")
    var vfsDir: String?

    @Flag(help: "Back blocks with sparse files and loop devices (needs root).")
    var realDevices = false

    @Option(help: "Faults to inject, e.g. error_rate=0.1,throttle_rate=0.05,drop_after_commit_rate=0.03,latency_ms=50.")
    var faults: String = ""

    @Option(help: "File holding the API key (else the LOCALCLOUD_API_KEY environment variable).")
    var apiKeyFile: String?

    @Option(help: "Requests per second allowed per source address; 0 turns the limit off.")
    var rateLimit: Double = 30

    @Option(help: "Block storage volumes one instance may have attached.")
    var attachLimit: Int = 16

    @Option(help: "Milliseconds new resources stay pending before turning active.")
    var pendingMs: Int = 500

    @Option(help: "Comma-separated region ids.")
    var regions: String = "ewr,ams,fra,sjc,lcl"

    @Option(help: "CIDR for instances' public addresses.")
    var publicPool: String = "127.1.0.0/16"

    @Option(help: "CIDR for instances' private addresses.")
    var privatePool: String = "127.2.0.0/16"

    @Option(help: "CIDR for load balancers' addresses.")
    var loadBalancerPool: String = "127.3.0.0/16"

    @Option(help: "Serve /metrics (Prometheus text) and /healthz on HOST:PORT as well.")
    var metricsAddress: String?

    @Option(help: ArgumentHelp(
        "Apply the route table as kernel routes (proto 250) in this network namespace; without it routes are bookkeeping only.",
        valueName: "netns"))
    var applyRoutes: String?

    @Option(help: ArgumentHelp(
        "Device for applied routes (next hops set onlink); default: the namespace's first interface other than lo.",
        valueName: "dev"))
    var routeDevice: String?

    @Flag(inversion: .prefixedNo, help: "Run load balancers' listeners and health checks (the data plane).")
    var lbDataPlane = true

    @Option(help: "Milliseconds between the data plane's safety resyncs with the state (changes through the API apply at once).")
    var lbResyncMs: Int = 60_000

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try listenAddress()
        if let metricsAddress {
            do { _ = try ListenAddress(parsing: metricsAddress) } catch { throw ValidationError("--metrics-address: \(error)") }
        }
        do { _ = try FaultSpec(parsing: faults) } catch { throw ValidationError("--faults: \(error)") }
        guard attachLimit > 0 else { throw ValidationError("--attach-limit must be positive") }
        guard lbResyncMs > 0 else { throw ValidationError("--lb-resync-ms must be positive") }
        guard pendingMs >= 0 else { throw ValidationError("--pending-ms must not be negative") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must not be negative") }
        if let applyRoutes, applyRoutes.isEmpty || applyRoutes.contains("/") {
            throw ValidationError("--apply-routes: '\(applyRoutes)' is not a network namespace name")
        }
        if routeDevice != nil, applyRoutes == nil { throw ValidationError("--route-device needs --apply-routes") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "localcloud")
        let listen = try listenAddress()
        let key = try apiKey()
        let config = LocalCloudConfiguration(
            host: listen.host, port: listen.port, dataDirectory: URL(fileURLWithPath: dataDir),
            deviceDirectory: deviceDir.map { URL(fileURLWithPath: $0) },
            vfsDirectory: vfsDir.map { URL(fileURLWithPath: $0) }, realDevices: realDevices, apiKey: key,
            rateLimit: rateLimit, rateBurst: max(rateLimit, 1), attachLimit: attachLimit,
            pendingDuration: .milliseconds(pendingMs),
            regions: regions.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
            publicPool: publicPool, privatePool: privatePool, loadBalancerPool: loadBalancerPool,
            faults: try FaultSpec(parsing: faults),
            metricsAddress: try metricsAddress.map { try ListenAddress(parsing: $0) },
            applyRoutesNamespace: applyRoutes, routeDevice: routeDevice, loadBalancerDataPlane: lbDataPlane,
            loadBalancerResync: .milliseconds(lbResyncMs))
        let server = try await LocalCloudServer.start(
            configuration: config, logger: logger, registry: ProcessMetrics.bootstrap())

        // One ServiceGroup, as in cloud-controller-manager: SIGTERM/SIGINT start a graceful
        // shutdown (listeners closed, open connections ended, state flushed), then it returns.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: LocalCloudService(server: server))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func listenAddress() throws -> ListenAddress {
        do {
            return try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
    }

    private func apiKey() throws -> String {
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
                throw ValidationError("--api-key-file: cannot read \(apiKeyFile)")
            }
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw ValidationError("--api-key-file: \(apiKeyFile) is empty") }
            return key
        }
        if let key = ProcessInfo.processInfo.environment["LOCALCLOUD_API_KEY"], !key.isEmpty { return key }
        throw ValidationError("no API key: set LOCALCLOUD_API_KEY or pass --api-key-file")
    }
}
