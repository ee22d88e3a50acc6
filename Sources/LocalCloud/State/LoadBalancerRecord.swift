/// A load balancer in its wire form.
struct LoadBalancerRecord: PendingResource {
    static let kind = "load_balancer"
    static let noun = "load balancer"

    struct GenericInfo: Codable, Sendable, Equatable {
        var balancingAlgorithm: String
        var sslRedirect: Bool
        var proxyProtocol: Bool
        var stickySessions: StickySession
        var vpc: String
        /// Idle timeout in seconds (govultr's `generic_info.timeout`); absent in records made
        /// before it was kept.
        var timeout: Int?
    }

    struct StickySession: Codable, Sendable, Equatable {
        var cookieName: String
    }

    struct HealthCheck: Codable, Sendable, Equatable {
        var `protocol`: String
        var port: Int
        var path: String
        var checkInterval: Int
        var responseTimeout: Int
        var unhealthyThreshold: Int
        var healthyThreshold: Int
    }

    struct ForwardingRule: Codable, Sendable, Equatable {
        var id: String
        var frontendProtocol: String
        var frontendPort: Int
        var backendProtocol: String
        var backendPort: Int
    }

    /// `auto_ssl`: the domain the local cloud made a certificate for.
    struct AutoSSL: Codable, Sendable, Equatable {
        var domainZone: String
        var domainSub: String

        var domainName: String { domainSub.isEmpty ? domainZone : "\(domainSub).\(domainZone)" }
    }

    struct FirewallRule: Codable, Sendable, Equatable {
        var id: String
        var port: Int
        var source: String
        var ipType: String
    }

    var id: String
    var dateCreated: String
    var region: String
    var label: String
    /// `pending` → `active`.
    var status: String
    var ipv4: String
    var ipv6: String
    var genericInfo: GenericInfo
    var healthCheck: HealthCheck
    var hasSsl: Bool
    var httpsRedirect: Bool
    var forwardingRules: [ForwardingRule]
    var firewallRules: [FirewallRule]
    var instances: [String]
    var nodes: Int
    /// PROXY protocol version (1 or 2) used when `proxy_protocol` is on; a local-cloud extension
    /// (Vultr's flag has no version), absent means 1.
    var proxyProtocolVersion: Int?
    /// HTTP/2 and HTTP/3 on https frontends, as sent (govultr's top-level `http2`, `http3`).
    var http2: Bool?
    var http3: Bool?
    /// Set when the certificate comes from `auto_ssl`.
    var autoSsl: AutoSSL?
    /// Per-target health from the data plane (local-cloud extension; filled in on output only).
    var healthStatus: [DataPlaneStatus.TargetHealth]?
    /// Listeners that could not open, e.g. a port in use (local-cloud extension; output only).
    var listenerErrors: [DataPlaneStatus.ListenerError]?
}
