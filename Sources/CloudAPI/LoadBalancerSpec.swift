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
    /// A certificate the cloud issues for a domain (wire `auto_ssl`).
    public var autoSSL: LoadBalancer.AutoSSL?
    public var vpc: String?
    public var nodes: Int?
    /// HTTP/2 on https frontends (wire `http2`); nil leaves the backend's choice.
    public var http2: Bool?
    /// HTTP/3 on https frontends (wire `http3`); nil leaves the backend's choice.
    public var http3: Bool?
    /// Connection idle timeout in seconds (wire `timeout`); nil leaves the backend's default.
    public var timeoutSeconds: Int?

    public init(
        region: String, label: String, instanceIDs: [String], forwardingRules: [LoadBalancer.ForwardingRule],
        firewallRules: [LoadBalancer.FirewallRule] = [],
        healthCheck: LoadBalancer.HealthCheck = .init(protocol: .tcp, port: 80),
        balancingAlgorithm: LoadBalancer.BalancingAlgorithm = .roundRobin, stickySessionCookie: String? = nil,
        proxyProtocol: Bool = false, sslRedirect: Bool = false, ssl: LoadBalancer.TLSCertificate? = nil,
        vpc: String? = nil, nodes: Int? = nil, http2: Bool? = nil, http3: Bool? = nil, timeoutSeconds: Int? = nil,
        autoSSL: LoadBalancer.AutoSSL? = nil
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
        self.http2 = http2
        self.http3 = http3
        self.timeoutSeconds = timeoutSeconds
        self.autoSSL = autoSSL
    }
}
