import ArgumentParser
import CSIController
import CSIDriver
import CSIStartup
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
        attached, detached, expanded and snapshotted through the cloud's block storage API, and \
        shared (ReadWriteMany) volumes made as Vultr File Systems (StorageClass storage_type: vfs). \
        GetCapacity is not served (the cloud cannot tell). Probe reports ready only when the \
        cloud API answers and accepts the key.
        The API key comes from the environment variable VULTR_API_KEY or from --api-key-file.
        """,
        version: MooringVersion.string
    )

    @OptionGroup var endpoint: EndpointOption

    @OptionGroup var cloudAccess: CloudAccessOptions

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

    @OptionGroup var plugin: PluginOptions<ControllerRole>

    func validate() throws {
        guard maxVolumesPerNode >= 0 else {
            throw ValidationError("--max-volumes-per-node must be 0 or more, got \(maxVolumesPerNode)")
        }
        guard apiRate > 0, apiBurst >= 1 else {
            throw ValidationError("--api-rate must be positive and --api-burst at least 1")
        }
        if let region, region.isEmpty { throw ValidationError("--region must not be empty") }
    }

    func run() async throws {
        // Before anything creates a metric (the cloud client does, on creation).
        let launch = try PluginLaunch(endpoint: endpoint, options: plugin)
        let logger = Logger(label: "csi-controller")
        let identity = launch.identity
        let key = try cloudAccess.apiKey()
        let apiURL = cloudAccess.apiURL
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
        try await launch.serve(logger, configure: { $0.selfLoggingMethods = [ControllerService.methodPrefix] }) { server in
            service.register(on: server)
            controller.register(on: server)
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

/// csi-controller's words in the shared options' help.
enum ControllerRole: PluginRole {
    static let metricsAddressHelp =
        "Serve /metrics (Prometheus text: per-RPC counts and latency, cloud API calls) and /healthz on HOST:PORT."
}
