/// Load balancers: what the service controller needs. Methods throw ``CloudError``.
public protocol LoadBalancers: Sendable {
    func createLoadBalancer(_ spec: LoadBalancerSpec) async throws -> LoadBalancer
    func loadBalancer(id: String) async throws -> LoadBalancer
    /// Every load balancer, all pages.
    func loadBalancers() async throws -> [LoadBalancer]
    /// Replaces the load balancer's configuration with `spec` (region cannot change).
    func updateLoadBalancer(id: String, _ spec: LoadBalancerSpec) async throws
    func deleteLoadBalancer(id: String) async throws
}
