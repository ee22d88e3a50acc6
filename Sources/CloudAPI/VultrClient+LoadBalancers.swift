extension VultrClient {
    public func createLoadBalancer(_ spec: LoadBalancerSpec) async throws -> LoadBalancer {
        let wire = try await exchange(
            "load_balancers.create", .POST, "/v2/load-balancers",
            body: LoadBalancerRequestWire(spec, includeRegion: true), as: LoadBalancerWire.self)
        return try convert(wire, "POST /v2/load-balancers")
    }

    public func loadBalancer(id: String) async throws -> LoadBalancer {
        let path = "/v2/load-balancers/\(try segment(id, "load balancer"))"
        return try convert(try await fetch("load_balancers.get", path, as: LoadBalancerWire.self), "GET \(path)")
    }

    public func loadBalancers() async throws -> [LoadBalancer] {
        try await list("load_balancers.list", "/v2/load-balancers", as: LoadBalancerWire.self).map {
            try convert($0, "GET /v2/load-balancers")
        }
    }

    public func updateLoadBalancer(id: String, _ spec: LoadBalancerSpec) async throws {
        try await perform(
            "load_balancers.update", .PATCH, "/v2/load-balancers/\(segment(id, "load balancer"))",
            body: LoadBalancerRequestWire(spec, includeRegion: false))
    }

    public func deleteLoadBalancer(id: String) async throws {
        try await perform("load_balancers.delete", .DELETE, "/v2/load-balancers/\(segment(id, "load balancer"))")
    }

    private func convert(_ wire: LoadBalancerWire, _ requestLine: String) throws -> LoadBalancer {
        do {
            return try wire.loadBalancer()
        } catch {
            throw CloudError(code: .invalidResponse, message: error.message, path: requestLine)
        }
    }
}
