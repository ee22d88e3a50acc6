/// How the service controller runs. The defaults suit a cluster of hundreds of nodes and
/// Services against Vultr's rate limit.
public struct ServiceControllerConfiguration: Sendable {
    /// Services reconciled at once.
    public var workers: Int
    /// How often every LoadBalancer Service is compared with its load balancer again, repairing
    /// drift (`--lb-resync-period`). One list of load balancers serves the whole round.
    public var lbResyncPeriod: Duration
    /// How soon a Service whose load balancer is still `pending` is looked at again (fixed, not
    /// backoff).
    public var pendingRequeue: Duration
    /// How long one list of load balancers answers lookups before the next lookup lists again.
    public var cloudSnapshotMaxAge: Duration
    /// Node changes arriving within this window are folded into one update of every load balancer.
    public var nodeSyncDebounce: Duration
    /// Region for load balancers when the target nodes carry no `topology.kubernetes.io/region`.
    public var region: String?
    /// The VPC used for the `vpc: "true"` annotation; when nil, ``instanceVPC`` is asked.
    public var defaultVPC: String?
    /// Reads the VPC (`network-v2-id`) of the instance the controller runs on, from the metadata
    /// service; asked once a Service needs it, its answer kept. Nil answers "no VPC".
    public var instanceVPC: (@Sendable () async throws -> String?)?
    /// Name of the cluster, for logs (load balancer labels derive from the Service UID alone).
    public var clusterName: String

    public init(
        workers: Int = 2, lbResyncPeriod: Duration = .seconds(600), pendingRequeue: Duration = .seconds(5),
        cloudSnapshotMaxAge: Duration = .seconds(30), nodeSyncDebounce: Duration = .milliseconds(500),
        region: String? = nil, defaultVPC: String? = nil, clusterName: String = "kubernetes"
    ) {
        self.workers = workers
        self.lbResyncPeriod = lbResyncPeriod
        self.pendingRequeue = pendingRequeue
        self.cloudSnapshotMaxAge = cloudSnapshotMaxAge
        self.nodeSyncDebounce = nodeSyncDebounce
        self.region = region
        self.defaultVPC = defaultVPC
        self.clusterName = clusterName
    }
}
