import Kubernetes

/// Small node facts every cloud controller asks (the service controller too).
extension Node {
    /// Well-known label keys the cloud node controller writes.
    public enum Labels {
        public static let region = "topology.kubernetes.io/region"
        public static let regionBeta = "failure-domain.beta.kubernetes.io/region"
        public static let zone = "topology.kubernetes.io/zone"
        public static let zoneBeta = "failure-domain.beta.kubernetes.io/zone"
        public static let instanceType = "node.kubernetes.io/instance-type"
        public static let instanceTypeBeta = "beta.kubernetes.io/instance-type"
    }

    /// The annotation the kubelet sets from `--node-ip` when the cloud provider is external.
    public static let providedNodeIPAnnotation = "alpha.kubernetes.io/provided-node-ip"

    /// The label Vultr's CCM reads: `"true"` marks a node running on a bare-metal server
    /// (`/v2/bare-metals`) rather than an instance.
    public static let bareMetalLabel = "vultr.com/baremetal"

    /// `true` when the node is labelled `vultr.com/baremetal: "true"`.
    public var isBareMetal: Bool { metadata.labels[Self.bareMetalLabel] == "true" }

    /// `true` when the `Ready` condition is `True`.
    public var isReady: Bool { status.isReady }

    /// `true` when the node carries a taint with `key` (any value or effect).
    public func hasTaint(_ key: String) -> Bool {
        spec.taints.contains { $0.key == key }
    }

    /// The instance id from `spec.providerID`, when it is one of ours.
    public var instanceID: String? {
        spec.providerID.flatMap { ProviderID(parsing: $0) }?.instanceID
    }

    /// `spec.podCIDRs`, else `spec.podCIDR`.
    public var podCIDRList: [String] {
        let list = spec.podCIDRs
        if !list.isEmpty { return list }
        return spec.podCIDR.map { [$0] } ?? []
    }
}
