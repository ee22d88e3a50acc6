import ArgumentParser
import CSIController
import CSIDriver
import CloudAPI
import Logging
import Metrics
import MetricsHTTP
import RPC
import Telemetry

@main
struct CSIController: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csi-controller",
        abstract: "Mooring CSI controller plugin: the CSI Identity and Controller services on a Unix socket.",
        discussion: """
        Serves the Identity service and the Controller service: volumes are created, deleted, \
        attached, detached, expanded and snapshotted through the cloud's block storage API, and \
        shared (ReadWriteMany) volumes made as Vultr File Systems (StorageClass storage_type: vfs). \
        GetCapacity is not served (the cloud cannot tell). Probe reports ready only when the \
        cloud API answers and accepts the key.
        The API key comes from the environment variable VULTR_API_KEY or from --api-key-file.
        """,
        version: MooringVersion.string
    )

    @Option(help: "gRPC endpoint: unix:///ABSOLUTE/PATH (a bare absolute path also works).")
    var endpoint = "unix:///csi/csi.sock"

    @Option(name: .customLong("api-url"), help: "Cloud API base URL (Vultr: https://api.vultr.com; or a localcloud URL).")
    var apiURL = "https://api.vultr.com"

    @Option(name: .customLong("api-key-file"), help: "File holding the API key (else VULTR_API_KEY).")
    var apiKeyFile: String?

    @Option(help: "Region for volumes created without topology requirements (default: this instance's region from the metadata service).")
    var region: String?

    @Option(name: .customLong("max-volumes-per-node"), help: "Volumes one node may have attached; ControllerPublish refuses more with RESOURCE_EXHAUSTED (0: the cloud's own limit).")
    var maxVolumesPerNode = 0

    @Option(name: .customLong("metadata-url"), help: "Instance metadata document, read for the region when --region is not given.")
    var metadataURL = MetadataService.defaultURL

    @Option(name: .customLong("api-rate"), help: "Cloud API requests per second this process allows itself (Vultr answers 429 above about 30 per address).")
    var apiRate: Double = 20

    @Option(name: .customLong("api-burst"), help: "Cloud API requests this process may send at once before --api-rate applies.")
    var apiBurst: Double = 10

    @Flag(name: .customLong("advertise-get-snapshot"), help: ArgumentHelp(
        "List GET_SNAPSHOT (CSI 1.12) among the controller capabilities. Off by default: sidecars built on csi-lib-utils v0.20.0 (external-provisioner v5.2.0, external-attacher v4.8.0, external-resizer v1.13.0-v1.13.1) panic on it, and no sidecar uses it. GetSnapshot is served either way."))
    var advertiseGetSnapshot = false

    @Option(name: .customLong("metrics-address"), help: "Serve /metrics (Prometheus text: per-RPC counts and latency, cloud API calls) and /healthz on HOST:PORT.")
    var metricsAddress: String?

    @Option(name: .customLong("driver-name"), help: "CSI driver name reported by GetPluginInfo.")
    var driverName = DriverIdentity.defaultName

    @Option(name: .customLong("log-format"), help: "Log line format: text or json.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "Lowest log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
            throw ValidationError("--api-url must be an http:// or https:// URL, got \"\(apiURL)\"")
        }
        guard maxVolumesPerNode >= 0 else {
            throw ValidationError("--max-volumes-per-node must be 0 or more, got \(maxVolumesPerNode)")
        }
        guard apiRate > 0, apiBurst >= 1 else {
            throw ValidationError("--api-rate must be positive and --api-burst at least 1")
        }
        if let metricsAddress, MetricsServer.parse(address: metricsAddress) == nil {
            throw ValidationError("--metrics-address must be HOST:PORT, got \"\(metricsAddress)\"")
        }
        if let region, region.isEmpty { throw ValidationError("--region must not be empty") }
    }

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        let logger = Logger(label: "csi-controller")
        // Before anything creates a metric (the cloud client does, on creation).
        let registry = metricsAddress.map { _ in PrometheusRegistry() }
        if let registry { MetricsSystem.bootstrap(registry) }
        let identity: DriverIdentity
        let endpoint: Endpoint
        do {
            identity = try DriverIdentity(name: driverName, version: MooringVersion.string)
            endpoint = try Endpoint(parsing: self.endpoint)
        } catch {
            throw ValidationError(error.message)
        }
        let key: APIKey
        do { key = try APIKey.resolve(file: apiKeyFile) } catch { throw ValidationError((error as? CloudError)?.message ?? "\(error)") }
        let cloud = VultrClient(configuration: .init(baseURL: apiURL, apiKey: key,
                                                        rateLimiter: TokenBucket(rate: apiRate, burst: apiBurst)),
                                logger: logger)
        let defaultRegion = await self.defaultRegion(logger)
        let controller = ControllerService(
            cloud: cloud, options: .init(defaultRegion: defaultRegion, maxVolumesPerNode: maxVolumesPerNode,
                                               advertiseGetSnapshot: advertiseGetSnapshot), logger: logger)
        let service = IdentityService(identity: identity,
                                      capabilities: ControllerService.pluginCapabilities,
                                      readiness: [CloudAccessReadiness(cloud: cloud, baseURL: apiURL)], logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "api.url": .string(apiURL), "region.default": .string(defaultRegion ?? "none"),
                                           "max_volumes_per_node": "\(maxVolumesPerNode)"])
        var plugin = PluginServer(endpoint: endpoint, logger: logger)
        plugin.selfLoggingMethods = [ControllerService.methodPrefix]
        var metricsServer: MetricsServer?
        if let metricsAddress, let registry, let (host, port) = MetricsServer.parse(address: metricsAddress) {
            do {
                metricsServer = try await MetricsServer.start(host: host, port: port, registry: registry)
            } catch {
                logger.critical("cannot serve metrics on \(metricsAddress): \(error)")
                throw ExitCode(1)
            }
            logger.info("serving metrics", metadata: ["metrics.address": .string("\(host):\(metricsServer!.port)")])
            plugin.onCall = { record in
                Counter(label: "csi_rpc_requests_total",
                        dimensions: [("method", record.method), ("code", record.code.description)]).increment()
                Metrics.Timer(label: "csi_rpc_duration_seconds", dimensions: [("method", record.method)])
                    .record(duration: record.duration)
            }
        }
        defer { if let metricsServer { Task { await metricsServer.stop() } } }
        do {
            try await plugin.run { server in
                service.register(on: server)
                controller.register(on: server)
            }
        } catch let error as RPCError {
            logger.critical("cannot serve: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// `--region`, else the metadata service's answer; nil (creates must then name a region in
    /// their topology requirements) when neither is available.
    private func defaultRegion(_ logger: Logger) async -> String? {
        if let region { return region }
        do {
            let metadata = MetadataService(url: metadataURL, timeout: .seconds(1), retry: .none)
            return try await metadata.fetch().region
        } catch {
            logger.warning("no --region and the metadata service did not answer; volumes need a region in their topology requirements",
                           metadata: ["metadata.url": .string(metadataURL), "error": .string("\(error)")])
            return nil
        }
    }
}
