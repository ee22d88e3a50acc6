/// The desired state of a load balancer, for create and update.
public struct LoadBalancerSpec: Hashable, Sendable {
    public var region: String
    public var label: String
    public var instanceIDs: [String]
    public var forwardingRules: [LoadBalancer.ForwardingRule]
    public var firewallRules: [LoadBalancer.FirewallRule]
    public var healthCheck: LoadBalancer.HealthCheck
    public var balancingAlgorithm: LoadBalancer.BalancingAlgorithm
    public var stickySessionCookie: String?
    public var proxyProtocol: Bool
    public var sslRedirect: Bool
    public var ssl: LoadBalancer.TLSCertificate?
    public var vpc: String?
    public var nodes: Int?

    public init(
        region: String, label: String, instanceIDs: [String], forwardingRules: [LoadBalancer.ForwardingRule],
        firewallRules: [LoadBalancer.FirewallRule] = [],
        healthCheck: LoadBalancer.HealthCheck = .init(protocol: .tcp, port: 80),
        balancingAlgorithm: LoadBalancer.BalancingAlgorithm = .roundRobin, stickySessionCookie: String? = nil,
        proxyProtocol: Bool = false, sslRedirect: Bool = false, ssl: LoadBalancer.TLSCertificate? = nil,
        vpc: String? = nil, nodes: Int? = nil
    ) {
        self.region = region
        self.label = label
        self.instanceIDs = instanceIDs
        self.forwardingRules = forwardingRules
        self.firewallRules = firewallRules
        self.healthCheck = healthCheck
        self.balancingAlgorithm = balancingAlgorithm
        self.stickySessionCookie = stickySessionCookie
        self.proxyProtocol = proxyProtocol
        self.sslRedirect = sslRedirect
        self.ssl = ssl
        self.vpc = vpc
        self.nodes = nodes
    }
}
