import GRDB

extension APIHandler {
    private struct CreateRoute: Decodable {
        var destination: String?
        var instanceId: String?
        var nextHop: String?
        var description: String?
    }

    func routes(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(RouteRecord.self, key: "routes", r, db)
        case ("POST", 0): return try createRoute(r, db)
        case ("GET", 1): return .json(Wrapped("route", try Store.require(RouteRecord.self, id: rest[0], db)))
        case ("DELETE", 1):
            let route = try Store.require(RouteRecord.self, id: rest[0], db)
            try Store.delete(RouteRecord.self, id: rest[0], db)
            try applyToKernel { try $0.remove(destination: route.destination) }
            return .noContent()
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createRoute(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateRoute.self)
        guard let destination = body.destination, !destination.isEmpty else {
            throw APIFailure(.badRequest, "missing field 'destination'")
        }
        guard let (network, prefix) = AddressPool.parse(destination),
            AddressPool.format(network) + "/\(prefix)" == destination
        else {
            throw APIFailure(.badRequest, "destination '\(destination)' is not an IPv4 network in CIDR form (e.g. 10.244.1.0/24)")
        }
        guard let instanceID = body.instanceId, !instanceID.isEmpty else {
            throw APIFailure(.badRequest, "missing field 'instance_id'")
        }
        let instance = try Store.require(InstanceRecord.self, id: instanceID, db)
        if let hop = body.nextHop, !hop.isEmpty, AddressPool.parseIPv4(hop) == nil {
            throw APIFailure(.badRequest, "next_hop '\(hop)' is not an IPv4 address")
        }
        if let existing = try Store.all(RouteRecord.self, db).first(where: { $0.destination == destination }) {
            throw APIFailure(.conflict, "a route to \(destination) already exists (\(existing.id))")
        }
        let hop = body.nextHop.flatMap { $0.isEmpty ? nil : $0 } ?? instance.internalIp
        let route = RouteRecord(
            id: Self.newID(), dateCreated: Self.timestamp(), destination: destination, instanceId: instanceID,
            nextHop: hop, description: body.description ?? "")
        try Store.insert(route, readyAt: nil, db)
        try applyToKernel { try $0.install(destination: destination, nextHop: hop) }
        return .json(201, Wrapped("route", route))
    }

    /// Runs `change` against the namespace's routes when the cloud applies routes; a failure
    /// fails the call, so the table and the kernel stay in step (the transaction rolls back).
    private func applyToKernel(_ change: (RouteApplier) throws -> Void) throws {
        guard let routeApplier else { return }
        do {
            try change(routeApplier)
        } catch {
            logger.error("kernel route change failed", metadata: ["netns": "\(routeApplier.namespace)", "error": "\(error)"])
            throw APIFailure(.internalError, "route not applied in network namespace \(routeApplier.namespace): \(error)")
        }
    }

    /// Makes the namespace's routes match the table (at startup).
    func restoreRoutes() throws {
        guard let routeApplier else { return }
        let table = try store.write { db in
            Dictionary(try Store.all(RouteRecord.self, db).map { ($0.destination, $0.nextHop) }, uniquingKeysWith: { a, _ in a })
        }
        let (installed, removed) = try routeApplier.reconcile(table)
        logger.info(
            "routes applied", metadata: ["netns": "\(routeApplier.namespace)", "route.device": "\(routeApplier.device)",
                                         "routes.installed": "\(installed)", "routes.removed": "\(removed)"])
    }
}
