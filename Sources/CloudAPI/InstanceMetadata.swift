/// What an instance learns about itself from the metadata service.
public struct InstanceMetadata: Hashable, Sendable {
    /// The instance's id in the v2 API (what provider IDs and API calls use).
    public var instanceID: String
    /// Region id as the v2 API spells it, e.g. `ewr`.
    public var region: String
    public var hostname: String
    public var publicIPv4: String?
    public var privateIPv4: String?
    public var publicIPv6: String?
    /// The instance's VPC: the first interface's non-empty `network-v2-id` (what Vultr's CCM
    /// uses for `vultr-loadbalancer-vpc: "true"`); nil when the instance is in none.
    public var vpcID: String?

    public init(
        instanceID: String, region: String, hostname: String, publicIPv4: String?, privateIPv4: String?,
        publicIPv6: String? = nil, vpcID: String? = nil
    ) {
        self.instanceID = instanceID
        self.region = region
        self.hostname = hostname
        self.publicIPv4 = publicIPv4
        self.privateIPv4 = privateIPv4
        self.publicIPv6 = publicIPv6
        self.vpcID = vpcID
    }
}
