/// A route-table entry: traffic for `destination` goes to an instance.
public struct Route: Hashable, Sendable, Identifiable {
    public var id: String
    /// Destination CIDR, e.g. `10.244.1.0/24`.
    public var destination: String
    public var instanceID: String
    public var nextHop: String
    public var description: String

    public init(id: String, destination: String, instanceID: String, nextHop: String, description: String) {
        self.id = id
        self.destination = destination
        self.instanceID = instanceID
        self.nextHop = nextHop
        self.description = description
    }
}
