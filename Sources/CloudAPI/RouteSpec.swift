/// A route to create.
public struct RouteSpec: Hashable, Sendable {
    public var destination: String
    public var instanceID: String
    /// Defaults to the instance's private address.
    public var nextHop: String?
    public var description: String

    public init(destination: String, instanceID: String, nextHop: String? = nil, description: String = "") {
        self.destination = destination
        self.instanceID = instanceID
        self.nextHop = nextHop
        self.description = description
    }
}
