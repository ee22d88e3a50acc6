import Kubernetes

/// What a node contributes to load balancers: whether it is a target, and as which instance in
/// which region. Two nodes' values differ only when a load balancer would change, so comparing
/// old and new values tells heartbeat updates from real changes.
struct LoadBalancerTarget: Hashable, Sendable {
    static let excludeLabel = "node.kubernetes.io/exclude-from-external-load-balancers"
    static let regionLabel = "topology.kubernetes.io/region"

    let instanceID: String
    let region: String?

    /// The node's target, or nil when it must not receive load balancer traffic: not Ready,
    /// labelled `node.kubernetes.io/exclude-from-external-load-balancers`, being deleted, or
    /// without a `vultr://` provider ID (not initialized yet).
    init?(node: Node) {
        guard node.status.isReady, node.metadata.labels[Self.excludeLabel] == nil,
              node.metadata.deletionTimestamp == nil,
              let providerID = node.spec.providerID.flatMap(ProviderID.init(parsing:))
        else { return nil }
        instanceID = providerID.instanceID
        region = node.metadata.labels[Self.regionLabel]
    }
}
