/// A route-table entry (the local cloud's own extension: Vultr has no routes API).
struct RouteRecord: StoredResource {
    static let kind = "route"
    static let noun = "route"

    var id: String
    var dateCreated: String
    /// Destination CIDR, e.g. `10.244.1.0/24`.
    var destination: String
    var instanceId: String
    var nextHop: String
    var description: String
}
