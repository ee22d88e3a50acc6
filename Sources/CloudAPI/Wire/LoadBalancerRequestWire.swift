/// The body of a load balancer create or update.
struct LoadBalancerRequestWire: Encodable {
    struct HealthCheck: Encodable {
        var `protocol`: String
        var port: Int
        var path: String
        var checkInterval: Int
        var responseTimeout: Int
        var unhealthyThreshold: Int
        var healthyThreshold: Int
    }
    struct Rule: Encodable {
        var frontendProtocol: String
        var frontendPort: Int
        var backendProtocol: String
        var backendPort: Int
    }
    struct Firewall: Encodable {
        var port: Int
        var ipType: String
        var source: String
    }
    struct Sticky: Encodable {
        var cookieName: String
    }
    struct AutoSSL: Encodable {
        var domainZone: String
        var domainSub: String
    }
    struct SSL: Encodable {
        var privateKey: String
        var certificate: String
        var chain: String
    }

    var region: String?
    var label: String
    var instances: [String]
    var healthCheck: HealthCheck
    var forwardingRules: [Rule]
    var firewallRules: [Firewall]
    var stickySession: Sticky?
    var ssl: SSL?
    var autoSsl: AutoSSL?
    var sslRedirect: Bool
    var proxyProtocol: Bool
    var balancingAlgorithm: String
    var vpc: String?
    var nodes: Int?
    var http2: Bool?
    var http3: Bool?
    var timeout: Int?

    /// `includeRegion` is false for updates: the region cannot change.
    init(_ spec: LoadBalancerSpec, includeRegion: Bool) {
        region = includeRegion ? spec.region : nil
        label = spec.label
        instances = spec.instanceIDs
        let h = spec.healthCheck
        healthCheck = .init(
            protocol: h.protocol.rawValue, port: h.port, path: h.path, checkInterval: h.checkIntervalSeconds,
            responseTimeout: h.responseTimeoutSeconds, unhealthyThreshold: h.unhealthyThreshold,
            healthyThreshold: h.healthyThreshold)
        forwardingRules = spec.forwardingRules.map {
            .init(frontendProtocol: $0.frontendProtocol.rawValue, frontendPort: $0.frontendPort,
                  backendProtocol: $0.backendProtocol.rawValue, backendPort: $0.backendPort)
        }
        firewallRules = spec.firewallRules.map { .init(port: $0.port, ipType: $0.isIPv6 ? "v6" : "v4", source: $0.source) }
        // Always sent: an empty cookie name turns sticky sessions off (omitting it would keep them).
        stickySession = .init(cookieName: spec.stickySessionCookie ?? "")
        ssl = spec.ssl.map { .init(privateKey: $0.privateKey, certificate: $0.certificate, chain: $0.chain) }
        autoSsl = spec.autoSSL.map { .init(domainZone: $0.domainZone, domainSub: $0.domainSub) }
        sslRedirect = spec.sslRedirect
        proxyProtocol = spec.proxyProtocol
        balancingAlgorithm = spec.balancingAlgorithm.rawValue
        vpc = spec.vpc
        nodes = spec.nodes
        http2 = spec.http2
        http3 = spec.http3
        timeout = spec.timeoutSeconds
    }
}
