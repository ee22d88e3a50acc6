/// What the command line says about how the controllers run (upstream flag names in comments).
public struct CloudControllerOptions: Sendable {
    /// `--cluster-name`: prefixes the descriptions of routes this cluster owns.
    public var clusterName: String
    /// `--cluster-cidr` (comma-separated for dual stack): routes inside it are ours to delete.
    public var clusterCIDRs: [IPNetwork]
    /// `--configure-cloud-routes`.
    public var configureCloudRoutes: Bool
    /// `--node-status-update-frequency`: how often initialized nodes' addresses are re-synced.
    public var nodeStatusUpdateFrequency: Duration
    /// `--node-monitor-period`: how often the node lifecycle controller looks at not-Ready nodes.
    public var nodeMonitorPeriod: Duration
    /// `--route-reconciliation-period`.
    public var routeReconciliationPeriod: Duration
    /// `--concurrent-service-syncs`: workers for the service controller.
    public var concurrentServiceSyncs: Int
    /// `--lb-resync-period`: how often every load balancer is compared with its Service.
    public var loadBalancerResyncPeriod: Duration
    /// `--region`, or the metadata service's answer; nil when neither was available.
    public var region: String?
    /// Reads the VPC (`network-v2-id`) of the instance the controller runs on from the metadata
    /// service (`--metadata-url`), for Services with `vpc: "true"`; nil when not available.
    public var instanceVPC: (@Sendable () async throws -> String?)?

    public init(
        clusterName: String = "kubernetes", clusterCIDRs: [IPNetwork] = [], configureCloudRoutes: Bool = true,
        nodeStatusUpdateFrequency: Duration = .seconds(300), nodeMonitorPeriod: Duration = .seconds(5),
        routeReconciliationPeriod: Duration = .seconds(10), concurrentServiceSyncs: Int = 1,
        loadBalancerResyncPeriod: Duration = .seconds(300), region: String? = nil
    ) {
        self.clusterName = clusterName
        self.clusterCIDRs = clusterCIDRs
        self.configureCloudRoutes = configureCloudRoutes
        self.nodeStatusUpdateFrequency = nodeStatusUpdateFrequency
        self.nodeMonitorPeriod = nodeMonitorPeriod
        self.routeReconciliationPeriod = routeReconciliationPeriod
        self.concurrentServiceSyncs = concurrentServiceSyncs
        self.loadBalancerResyncPeriod = loadBalancerResyncPeriod
        self.region = region
    }
}
