import ArgumentParser
import CloudAPI
import CloudController
import Foundation
import Kubernetes
import Logging
import MetricsHTTP
import ServiceLifecycle
import Telemetry

@main
struct CloudControllerManager: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-controller-manager",
        abstract: "Mooring cloud controller manager: the cloud node, node lifecycle, route and service controllers.",
        discussion: """
        Flags are spelled as the upstream k8s.io/cloud-provider framework spells them; durations \
        take Go syntax (5m0s, 10s, 1h30m, 500ms). The API key comes from VULTR_API_KEY or \
        --api-key-file. Controllers: \(ControllerTable.names.joined(separator: ", ")).
        """,
        version: MooringVersion.string
    )

    // MARK: Upstream flags

    @Option(help: "Path to a kubeconfig file (default: the in-cluster service account).")
    var kubeconfig: String?

    @Option(name: .customLong("cloud-provider"), help: "The cloud provider; only \"vultr\" is known.")
    var cloudProvider = "vultr"

    @Option(name: .customLong("cloud-config"), help: "Path to a cloud provider configuration file: accepted for compatibility and not read (everything is configured by flags).")
    var cloudConfig: String?

    @Option(name: .customLong("leader-elect"), help: "Run only while holding the leader lease (true|false).")
    var leaderElect = true

    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long a lease stays valid after its last renewal.")
    var leaderElectLeaseDuration = GoDuration(.seconds(15))

    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader tries to renew before giving up.")
    var leaderElectRenewDeadline = GoDuration(.seconds(10))

    @Option(name: .customLong("leader-elect-retry-period"), help: "Pause between attempts to acquire or renew the lease.")
    var leaderElectRetryPeriod = GoDuration(.seconds(2))

    @Option(name: .customLong("leader-elect-resource-name"), help: "Name of the Lease.")
    var leaderElectResourceName = "cloud-controller-manager"

    @Option(name: .customLong("leader-elect-resource-namespace"), help: "Namespace of the Lease.")
    var leaderElectResourceNamespace = "kube-system"

    @Option(name: .customLong("controllers"), help: "Controllers to run: \"*\" for all, a name to enable, \"-name\" to disable (e.g. *,-route).")
    var controllers: [String] = ["*"]

    @Option(name: .customLong("cluster-name"), help: "Cluster name: prefixes the descriptions of the routes this cluster owns.")
    var clusterName = "kubernetes"

    @Option(name: .customLong("cluster-cidr"), help: "The cluster's pod network (comma-separated for dual stack); routes inside it that no node needs are deleted.")
    var clusterCIDR: String?

    @Option(name: .customLong("allocate-node-cidrs"), help: "Accepted for compatibility: pod CIDRs are allocated by kube-controller-manager, not here.")
    var allocateNodeCIDRs = false

    @Option(name: .customLong("configure-cloud-routes"), help: "Create cloud routes for pod CIDRs (needs --cluster-cidr and a cloud with a routes API).")
    var configureCloudRoutes = true

    @Option(name: .customLong("node-status-update-frequency"), help: "How often initialized nodes' addresses are re-synced.")
    var nodeStatusUpdateFrequency = GoDuration(.seconds(300))

    @Option(name: .customLong("node-monitor-period"), help: "How often not-Ready nodes are checked against the cloud.")
    var nodeMonitorPeriod = GoDuration(.seconds(5))

    @Option(name: .customLong("route-reconciliation-period"), help: "How often routes are reconciled.")
    var routeReconciliationPeriod = GoDuration(.seconds(10))

    @Option(name: .customLong("concurrent-service-syncs"), help: "Services synced at once by the service controller.")
    var concurrentServiceSyncs = 1

    @Option(name: .customLong("kube-api-qps"), help: "Requests per second to the Kubernetes API server.")
    var kubeAPIQPS: Double = 20

    @Option(name: .customLong("kube-api-burst"), help: "Requests to the Kubernetes API server allowed at once.")
    var kubeAPIBurst = 30

    // MARK: Mooring's own flags

    @OptionGroup var cloudAccess: CloudAccessOptions

    @Option(name: .customLong("metrics-address"), help: "Serve /metrics and /healthz (with the leader-election check) on HOST:PORT.")
    var metricsAddress = "0.0.0.0:10258"

    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("lb-resync-period"), help: "How often every load balancer is compared with its Service.")
    var lbResyncPeriod = GoDuration(.seconds(300))

    @Option(help: "Region for new load balancers when a Service does not say (default: the metadata service's, else the nodes').")
    var region: String?

    @Option(name: .customLong("metadata-url"), help: "Instance metadata document: read for the region when --region is not given, and for the VPC of Services with vpc: \"true\".")
    var metadataURL = MetadataService.defaultURL

    /// Parses upstream's bare boolean flags before ArgumentParser sees the command line.
    static func main() async {
        do {
            var command = try parseAsRoot(CommandLineNormalizer.normalize(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    func validate() throws {
        var problems: [String] = []
        if cloudProvider != "vultr" {
            problems.append("--cloud-provider \"\(cloudProvider)\" is not supported (only \"vultr\")")
        }
        do {
            _ = try ControllerSelection(parsing: controllers, known: ControllerTable.names)
        } catch {
            problems.append(error.description)
        }
        if let clusterCIDR, (try? Self.parseCIDRs(clusterCIDR)) == nil {
            problems.append("--cluster-cidr must be CIDRs like 10.244.0.0/16 (comma-separated), got \"\(clusterCIDR)\"")
        }
        if (try? Self.parseAddress(metricsAddress)) == nil {
            problems.append("--metrics-address must be HOST:PORT, got \"\(metricsAddress)\"")
        }
        for (flag, value) in [
            ("node-status-update-frequency", nodeStatusUpdateFrequency), ("node-monitor-period", nodeMonitorPeriod),
            ("route-reconciliation-period", routeReconciliationPeriod), ("lb-resync-period", lbResyncPeriod),
        ] where value.duration <= .zero {
            problems.append("--\(flag) must be positive")
        }
        if concurrentServiceSyncs < 1 { problems.append("--concurrent-service-syncs must be at least 1") }
        if kubeAPIQPS <= 0 || kubeAPIBurst < 1 { problems.append("--kube-api-qps must be positive and --kube-api-burst at least 1") }
        if leaderElect {
            do {
                try leaderElection.validate()
            } catch {
                problems.append("leader election: \(error)")
            }
        }
        if let region, region.isEmpty { problems.append("--region must not be empty") }
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
    }

    var leaderElection: LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            leaseName: leaderElectResourceName, namespace: leaderElectResourceNamespace,
            leaseDuration: leaderElectLeaseDuration.duration, renewDeadline: leaderElectRenewDeadline.duration,
            retryPeriod: leaderElectRetryPeriod.duration)
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "cloud-controller-manager")
        let registry = ProcessMetrics.bootstrap()  // before the cloud client creates its metrics
        if let cloudConfig {
            logger.notice("--cloud-config is accepted for compatibility and not read; configure with flags", metadata: ["cloud_config": "\(cloudConfig)"])
        }

        let key = try cloudAccess.apiKey()
        var kubeConfiguration: ClientConfiguration
        do {
            kubeConfiguration = try kubeconfig.map { try ClientConfiguration.kubeConfig(path: $0) } ?? ClientConfiguration.inCluster()
        } catch {
            throw ValidationError("cannot configure the Kubernetes client: \(error)")
        }
        kubeConfiguration.qps = kubeAPIQPS
        kubeConfiguration.burst = kubeAPIBurst
        kubeConfiguration.userAgent = "mooring-cloud-controller-manager"
        let client = try KubernetesClient(configuration: kubeConfiguration, logger: logger)

        // One list call serves every lookup within a monitor period; 500 per page keeps a
        // 500-node cluster at one request per list.
        let cloud = VultrClient(configuration: .init(baseURL: cloudAccess.apiURL, apiKey: key, pageSize: 500), logger: logger)
        let instances = CachedInstances(backend: cloud, ttl: nodeMonitorPeriod.duration)
        var options = CloudControllerOptions(
            clusterName: clusterName, clusterCIDRs: try clusterCIDR.map(Self.parseCIDRs) ?? [],
            configureCloudRoutes: configureCloudRoutes, nodeStatusUpdateFrequency: nodeStatusUpdateFrequency.duration,
            nodeMonitorPeriod: nodeMonitorPeriod.duration, routeReconciliationPeriod: routeReconciliationPeriod.duration,
            concurrentServiceSyncs: concurrentServiceSyncs, loadBalancerResyncPeriod: lbResyncPeriod.duration,
            region: await defaultRegion(logger))
        // `vpc: "true"`: the VPC of the instance this process runs on, asked when a Service first needs it.
        let metadataURL = self.metadataURL
        options.instanceVPC = { try await MetadataService(url: metadataURL, timeout: .seconds(2), retry: .none).fetch().vpcID }
        let nodes = Informer<Node>(client: client, transform: Informer<Node>.dropManagedFields, logger: logger)
        let bareMetals = CachedInstances(backend: BareMetals(client: cloud), ttl: nodeMonitorPeriod.duration)
        let context = ControllerContext(
            client: client, nodes: nodes, instances: instances, routes: cloud, loadBalancers: cloud, options: options,
            logger: logger, bareMetals: bareMetals)

        let selection = try ControllerSelection(parsing: controllers, known: ControllerTable.names)
        var services: [any ServiceLifecycle.Service] = []
        var running: [String] = []
        for entry in ControllerTable.entries {
            guard selection.isEnabled(entry.name) else {
                logger.info("controller disabled by --controllers", metadata: ["controller": "\(entry.name)"])
                continue
            }
            switch entry.make(context) {
            case .run(let service):
                logger.info("controller enabled", metadata: ["controller": "\(entry.name)"])
                services.append(service)
                running.append(entry.name)
            case .off(let reason):
                logger.notice("controller off", metadata: ["controller": "\(entry.name)", "reason": "\(reason)"])
            }
        }
        if !services.isEmpty { services.insert(nodes, at: 0) }

        var top: [any ServiceLifecycle.Service] = []
        var checks: [HealthzCheck] = []
        if leaderElect {
            let elector = LeaderElector(client: client, configuration: leaderElection, logger: logger, services: services)
            checks.append(.leaderElection(elector))
            top.append(elector)
        } else {
            top += services
        }
        let health: MetricsServer
        do {
            health = try await MetricsServer.bind(
                try Self.parseAddress(metricsAddress), registry: registry, checks: checks, logger: logger)
        } catch {
            logger.critical("cannot serve /metrics and /healthz on \(metricsAddress): \(error)")
            try? await client.shutdown()
            throw ExitCode(1)
        }
        logger.info(
            "starting",
            metadata: [
                "api.url": "\(cloudAccess.apiURL)", "controllers": "\(running.joined(separator: ","))",
                "leader_elect": "\(leaderElect)", "metrics.port": "\(health.port)", "region": "\(options.region ?? "none")",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [health] + top, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped", metadata: ["error": "\(error)"])
            try? await client.shutdown()
            throw ExitCode(1)
        }
        try? await client.shutdown()
        logger.info("stopped")
    }

    /// `--region`, else the metadata service's answer (one quick try), else nil.
    private func defaultRegion(_ logger: Logger) async -> String? {
        if let region { return region }
        do {
            return try await MetadataService(url: metadataURL, timeout: .seconds(1), retry: .none).fetch().region
        } catch {
            logger.info(
                "no --region and the metadata service did not answer; the nodes' region labels will be used",
                metadata: ["metadata.url": "\(metadataURL)"])
            return nil
        }
    }

    static func parseCIDRs(_ text: String) throws -> [IPNetwork] {
        try text.split(separator: ",").map { part in
            guard let network = IPNetwork(parsing: part.trimmingCharacters(in: .whitespaces)), part.contains("/") else {
                throw ValidationError("not a CIDR: \(part)")
            }
            return network
        }
    }

    /// `--metrics-address`: HOST:PORT, where an empty host (`:10258`) means every address, as
    /// upstream's flag reads it.
    static func parseAddress(_ address: String) throws(ListenAddressError) -> ListenAddress {
        try ListenAddress(parsing: address, emptyHost: "0.0.0.0")
    }
}
