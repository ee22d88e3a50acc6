extension LoadBalancers {
    /// The load balancer with this label, if any. Lists every load balancer: one call per page.
    public func loadBalancer(labeled label: String) async throws -> LoadBalancer? {
        try await loadBalancers().first { $0.label == label }
    }
}
