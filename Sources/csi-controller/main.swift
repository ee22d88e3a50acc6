import ArgumentParser
import CSIController
import CSIDriver
import CloudAPI
import Logging
import RPC
import Telemetry

@main
struct CSIController: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csi-controller",
        abstract: "Mooring CSI controller plugin: the CSI Identity and Controller services on a Unix socket.",
        discussion: """
        Serves the Identity service and the Controller service: volumes are created, deleted, \
        attached, detached, expanded and snapshotted through the cloud's block storage API. \
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
        if let region, region.isEmpty { throw ValidationError("--region must not be empty") }
    }

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        let logger = Logger(label: "csi-controller")
        let identity: DriverIdentity
        let endpoint: Endpoint
        do {
            identity = try DriverIdentity(name: driverName)
            endpoint = try Endpoint(parsing: self.endpoint)
        } catch {
            throw ValidationError(error.message)
        }
        let key: APIKey
        if let apiKeyFile {
            do { key = try APIKey(contentsOfFile: apiKeyFile) } catch { throw ValidationError("\(error)") }
        } else if let fromEnvironment = APIKey.fromEnvironment() {
            key = fromEnvironment
        } else {
            throw ValidationError("no API key: set VULTR_API_KEY or pass --api-key-file PATH")
        }
        let cloud = VultrClient(configuration: .init(baseURL: apiURL, apiKey: key,
                                                        rateLimiter: TokenBucket(rate: apiRate, burst: apiBurst)),
                                logger: logger)
        let defaultRegion = await self.defaultRegion(logger)
        let controller = ControllerService(
            cloud: cloud, options: .init(defaultRegion: defaultRegion, maxVolumesPerNode: maxVolumesPerNode), logger: logger)
        let service = IdentityService(identity: identity,
                                      capabilities: ControllerService.pluginCapabilities,
                                      readiness: [CloudAccessReadiness(cloud: cloud, baseURL: apiURL)], logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "api.url": .string(apiURL), "region.default": .string(defaultRegion ?? "none"),
                                           "max_volumes_per_node": "\(maxVolumesPerNode)"])
        do {
            try await PluginServer(endpoint: endpoint, logger: logger).run { server in
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
