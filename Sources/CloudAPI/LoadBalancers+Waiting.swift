extension LoadBalancers {
    /// Waits until the load balancer is `active`.
    @discardableResult
    public func waitUntilActive(loadBalancerID: String, timeout: Duration = .seconds(300)) async throws -> LoadBalancer {
        try await Poller.wait(
            for: "load balancer \(loadBalancerID) active", path: "GET /v2/load-balancers/\(loadBalancerID)",
            timeout: timeout, fetch: { try await loadBalancer(id: loadBalancerID) }, until: { $0.status == .active })
    }
}
