import ArgumentParser
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
        This version serves the Identity service (GetPluginInfo, GetPluginCapabilities, Probe). \
        The Controller service (create, delete, attach, expand, snapshot volumes) is not built yet \
        and answers UNIMPLEMENTED; GetPluginCapabilities says so by not advertising it. Probe \
        reports ready only when the cloud API answers and accepts the key.
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
        let cloud = VultrClient(configuration: .init(baseURL: apiURL, apiKey: key), logger: logger)
        let service = IdentityService(identity: identity,
                                      capabilities: PluginCapabilities.advertised(controllerService: false),
                                      readiness: [CloudAccessReadiness(cloud: cloud, baseURL: apiURL)], logger: logger)
        logger.info("starting", metadata: ["driver.name": .string(identity.name), "version": .string(identity.version),
                                           "api.url": .string(apiURL)])
        do {
            try await PluginServer(endpoint: endpoint, logger: logger).run { service.register(on: $0) }
        } catch let error as RPCError {
            logger.critical("cannot serve: \(error.message)")
            throw ExitCode(1)
        }
    }
}
