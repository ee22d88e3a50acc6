import CloudAPI

/// What the route controller must change: the routes the nodes need that are missing, and the
/// routes inside the cluster CIDR that no node needs (or that lead to the wrong instance).
/// Routes outside the cluster CIDR are never touched.
public struct RoutePlan: Hashable, Sendable {
    /// A route a node needs.
    public struct Wanted: Hashable, Sendable {
        public var nodeName: String
        public var instanceID: String
        public var destination: String

        public init(nodeName: String, instanceID: String, destination: String) {
            self.nodeName = nodeName
            self.instanceID = instanceID
            self.destination = destination
        }
    }

    public var create: [Wanted]
    public var delete: [Route]
    /// Wanted routes that already exist.
    public var present: [Wanted]

    public init(wanted: [Wanted], existing: [Route], clusterCIDRs: [IPNetwork]) {
        let wantedKeys = Set(wanted.map { Key(destination: $0.destination, instanceID: $0.instanceID) })
        delete = existing.filter { route in
            guard let destination = IPNetwork(parsing: route.destination),
                clusterCIDRs.contains(where: { $0.contains(destination) })
            else { return false }
            return !wantedKeys.contains(Key(destination: route.destination, instanceID: route.instanceID))
        }
        let existingKeys = Set(existing.map { Key(destination: $0.destination, instanceID: $0.instanceID) })
        create = wanted.filter { !existingKeys.contains(Key(destination: $0.destination, instanceID: $0.instanceID)) }
        present = wanted.filter { existingKeys.contains(Key(destination: $0.destination, instanceID: $0.instanceID)) }
    }

    private struct Key: Hashable {
        var destination: String
        var instanceID: String
    }
}
