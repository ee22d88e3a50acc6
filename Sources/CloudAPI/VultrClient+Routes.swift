extension VultrClient {
    private struct CreateBody: Encodable {
        var destination: String
        var instanceId: String
        var nextHop: String?
        var description: String
    }

    public var supportsRoutes: Bool { configuration.hasRoutesExtension }

    public func routes() async throws -> [Route] {
        try requireRoutes("GET /v2/routes")
        return try await list("routes.list", "/v2/routes", as: RouteWire.self).map(\.route)
    }

    public func createRoute(_ spec: RouteSpec) async throws -> Route {
        try requireRoutes("POST /v2/routes")
        return try await exchange(
            "routes.create", .POST, "/v2/routes",
            body: CreateBody(
                destination: spec.destination, instanceId: try segment(spec.instanceID, "instance"),
                nextHop: spec.nextHop, description: spec.description),
            as: RouteWire.self
        ).route
    }

    public func deleteRoute(id: String) async throws {
        try requireRoutes("DELETE /v2/routes")
        try await perform("routes.delete", .DELETE, "/v2/routes/\(segment(id, "route"))")
    }

    private func requireRoutes(_ requestLine: String) throws {
        guard supportsRoutes else {
            throw CloudError(code: .unsupported, message: "this backend has no routes API", path: requestLine)
        }
    }
}
