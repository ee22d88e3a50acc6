/// What an instance learns about itself from the metadata service.
public struct InstanceMetadata: Hashable, Sendable {
    /// The instance's id in the v2 API (what provider IDs and API calls use).
    public var instanceID: String
    /// Region id as the v2 API spells it, e.g. `ewr`.
    public var region: String
    public var hostname: String
    public var publicIPv4: String?
    public var privateIPv4: String?

    public init(instanceID: String, region: String, hostname: String, publicIPv4: String?, privateIPv4: String?) {
        self.instanceID = instanceID
        self.region = region
        self.hostname = hostname
        self.publicIPv4 = publicIPv4
        self.privateIPv4 = privateIPv4
    }
}
