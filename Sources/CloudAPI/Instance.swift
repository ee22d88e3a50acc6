/// A virtual machine (a Kubernetes node's host).
public struct Instance: Hashable, Sendable, Identifiable {
    public var id: String
    public var label: String
    public var hostname: String
    public var region: String
    /// Plan id, e.g. `vc2-2c-4gb` (the node's instance type).
    public var plan: String
    public var publicIPv4: String?
    public var privateIPv4: String?
    public var publicIPv6: String?
    public var status: ProvisioningStatus
    public var power: PowerState

    public init(
        id: String, label: String, hostname: String, region: String, plan: String, publicIPv4: String?,
        privateIPv4: String?, publicIPv6: String?, status: ProvisioningStatus, power: PowerState
    ) {
        self.id = id
        self.label = label
        self.hostname = hostname
        self.region = region
        self.plan = plan
        self.publicIPv4 = publicIPv4
        self.privateIPv4 = privateIPv4
        self.publicIPv6 = publicIPv6
        self.status = status
        self.power = power
    }

    /// Kubernetes `spec.providerID`: `vultr://<id>`.
    public var providerID: String { Self.providerIDPrefix + id }

    public static let providerIDPrefix = "vultr://"

    /// The instance id inside a provider ID (`vultr://<id>`, or a bare id); nil if malformed.
    public static func instanceID(fromProviderID providerID: String) -> String? {
        let id = providerID.hasPrefix(providerIDPrefix) ? String(providerID.dropFirst(providerIDPrefix.count)) : providerID
        guard !id.isEmpty, !id.contains("/"), !id.contains(":") else { return nil }
        return id
    }
}
