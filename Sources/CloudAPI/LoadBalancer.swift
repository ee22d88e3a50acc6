/// A load balancer as the cloud reports it.
public struct LoadBalancer: Hashable, Sendable, Identifiable {
    public var id: String
    public var label: String
    public var region: String
    public var status: ProvisioningStatus
    public var ipv4: String?
    public var ipv6: String?
    public var instanceIDs: [String]
    public var forwardingRules: [ForwardingRule]
    public var firewallRules: [FirewallRule]
    public var healthCheck: HealthCheck
    public var balancingAlgorithm: BalancingAlgorithm
    /// Cookie name for sticky sessions; nil when off.
    public var stickySessionCookie: String?
    public var proxyProtocol: Bool
    public var sslRedirect: Bool
    public var hasSSL: Bool
    public var nodes: Int
    /// HTTP/2 on https frontends; nil when the backend does not report it.
    public var http2: Bool?
    /// HTTP/3 on https frontends; nil when the backend does not report it.
    public var http3: Bool?
    /// Connection idle timeout in seconds; nil when the backend does not report it.
    public var timeoutSeconds: Int?
    /// The VPC the load balancer reaches its backends through; nil when none or not reported.
    public var vpc: String?
    /// The domain the cloud issues a certificate for (wire `auto_ssl`); nil when none or not reported.
    public var autoSSL: AutoSSL?

    public init(
        id: String, label: String, region: String, status: ProvisioningStatus, ipv4: String?, ipv6: String?,
        instanceIDs: [String], forwardingRules: [ForwardingRule], firewallRules: [FirewallRule],
        healthCheck: HealthCheck, balancingAlgorithm: BalancingAlgorithm, stickySessionCookie: String?,
        proxyProtocol: Bool, sslRedirect: Bool, hasSSL: Bool, nodes: Int, http2: Bool? = nil, http3: Bool? = nil,
        timeoutSeconds: Int? = nil, vpc: String? = nil, autoSSL: AutoSSL? = nil
    ) {
        self.id = id
        self.label = label
        self.region = region
        self.status = status
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.instanceIDs = instanceIDs
        self.forwardingRules = forwardingRules
        self.firewallRules = firewallRules
        self.healthCheck = healthCheck
        self.balancingAlgorithm = balancingAlgorithm
        self.stickySessionCookie = stickySessionCookie
        self.proxyProtocol = proxyProtocol
        self.sslRedirect = sslRedirect
        self.hasSSL = hasSSL
        self.nodes = nodes
        self.http2 = http2
        self.http3 = http3
        self.timeoutSeconds = timeoutSeconds
        self.vpc = vpc
        self.autoSSL = autoSSL
    }

    /// A certificate the cloud issues and renews for `<domainSub>.<domainZone>` (or the zone
    /// itself when `domainSub` is empty), for https frontends.
    public struct AutoSSL: Hashable, Sendable {
        public var domainZone: String
        public var domainSub: String

        public init(domainZone: String, domainSub: String = "") {
            self.domainZone = domainZone
            self.domainSub = domainSub
        }

        /// The name the certificate is for.
        public var domainName: String { domainSub.isEmpty ? domainZone : "\(domainSub).\(domainZone)" }
    }

    /// How the load balancer picks a backend.
    public enum BalancingAlgorithm: String, Hashable, Sendable {
        case roundRobin = "roundrobin"
        case leastConnections = "leastconn"
    }

    /// `http`, `https`, `tcp` or `udp` (`udp` only in forwarding rules).
    public enum TrafficProtocol: String, Hashable, Sendable {
        case http, https, tcp, udp
    }

    /// One frontend port forwarded to one backend port.
    public struct ForwardingRule: Hashable, Sendable {
        public var frontendProtocol: TrafficProtocol
        public var frontendPort: Int
        public var backendProtocol: TrafficProtocol
        public var backendPort: Int

        public init(frontendProtocol: TrafficProtocol, frontendPort: Int, backendProtocol: TrafficProtocol, backendPort: Int) {
            self.frontendProtocol = frontendProtocol
            self.frontendPort = frontendPort
            self.backendProtocol = backendProtocol
            self.backendPort = backendPort
        }
    }

    /// Who may reach a frontend port.
    public struct FirewallRule: Hashable, Sendable {
        public var port: Int
        /// A CIDR, or `cloudflare`.
        public var source: String
        public var isIPv6: Bool

        public init(port: Int, source: String, isIPv6: Bool = false) {
            self.port = port
            self.source = source
            self.isIPv6 = isIPv6
        }
    }

    /// How backends are probed.
    public struct HealthCheck: Hashable, Sendable {
        public var `protocol`: TrafficProtocol
        public var port: Int
        /// For http(s) checks.
        public var path: String
        public var checkIntervalSeconds: Int
        public var responseTimeoutSeconds: Int
        public var unhealthyThreshold: Int
        public var healthyThreshold: Int

        public init(
            protocol: TrafficProtocol, port: Int, path: String = "", checkIntervalSeconds: Int = 15,
            responseTimeoutSeconds: Int = 5, unhealthyThreshold: Int = 5, healthyThreshold: Int = 5
        ) {
            self.protocol = `protocol`
            self.port = port
            self.path = path
            self.checkIntervalSeconds = checkIntervalSeconds
            self.responseTimeoutSeconds = responseTimeoutSeconds
            self.unhealthyThreshold = unhealthyThreshold
            self.healthyThreshold = healthyThreshold
        }
    }

    /// A TLS certificate for https frontends.
    public struct TLSCertificate: Hashable, Sendable {
        public var privateKey: String
        public var certificate: String
        public var chain: String

        public init(privateKey: String, certificate: String, chain: String = "") {
            self.privateKey = privateKey
            self.certificate = certificate
            self.chain = chain
        }
    }
}
