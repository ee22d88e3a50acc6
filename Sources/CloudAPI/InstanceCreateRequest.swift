/// What a new instance should be.
public struct InstanceCreateRequest: Hashable, Sendable {
    public var region: String
    public var plan: String
    public var label: String
    public var hostname: String?

    public init(region: String, plan: String, label: String, hostname: String? = nil) {
        self.region = region
        self.plan = plan
        self.label = label
        self.hostname = hostname
    }
}
