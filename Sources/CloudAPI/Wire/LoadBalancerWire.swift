/// A load balancer as the API sends it.
struct LoadBalancerWire: WireResource {
    static let singularKey = "load_balancer"
    static let pluralKey = "load_balancers"

    struct GenericInfo: Decodable {
        struct Sticky: Decodable {
            var cookieName: String?
        }
        var balancingAlgorithm: String?
        var sslRedirect: Bool?
        var proxyProtocol: Bool?
        var stickySessions: Sticky?
        var timeout: Int?
        var vpc: String?
    }
    struct HealthCheck: Decodable {
        var `protocol`: String?
        var port: Int?
        var path: String?
        var checkInterval: Int?
        var responseTimeout: Int?
        var unhealthyThreshold: Int?
        var healthyThreshold: Int?
    }
    struct Rule: Decodable {
        var frontendProtocol: String?
        var frontendPort: Int?
        var backendProtocol: String?
        var backendPort: Int?
    }
    struct AutoSSL: Decodable {
        var domainZone: String?
        var domainSub: String?
    }
    struct Firewall: Decodable {
        var port: Int?
        var source: String?
        var ipType: String?
    }

    var id: String
    var label: String?
    var region: String?
    var status: String?
    var ipv4: String?
    var ipv6: String?
    var genericInfo: GenericInfo?
    var healthCheck: HealthCheck?
    var hasSsl: Bool?
    var forwardingRules: [Rule]?
    var firewallRules: [Firewall]?
    var instances: [String]?
    var nodes: Int?
    var http2: Bool?
    var http3: Bool?
    var autoSsl: AutoSSL?

    func loadBalancer() throws(WireError) -> LoadBalancer {
        func proto(_ value: String?) throws(WireError) -> LoadBalancer.TrafficProtocol {
            guard let value, let parsed = LoadBalancer.TrafficProtocol(rawValue: value) else {
                throw WireError("unknown protocol '\(value ?? "")' in load balancer \(id)")
            }
            return parsed
        }
        var rules: [LoadBalancer.ForwardingRule] = []
        for rule in forwardingRules ?? [] {
            rules.append(.init(
                frontendProtocol: try proto(rule.frontendProtocol), frontendPort: rule.frontendPort ?? 0,
                backendProtocol: try proto(rule.backendProtocol), backendPort: rule.backendPort ?? 0))
        }
        let check = healthCheck
        let cookie = genericInfo?.stickySessions?.cookieName ?? ""
        return LoadBalancer(
            id: id, label: label ?? "", region: region ?? "", status: ProvisioningStatus(wire: status),
            ipv4: ipv4.flatMap { $0.isEmpty ? nil : $0 }, ipv6: ipv6.flatMap { $0.isEmpty ? nil : $0 },
            instanceIDs: instances ?? [], forwardingRules: rules,
            firewallRules: (firewallRules ?? []).map {
                .init(port: $0.port ?? 0, source: $0.source ?? "", isIPv6: $0.ipType == "v6")
            },
            healthCheck: .init(
                protocol: try proto(check?.protocol ?? "tcp"), port: check?.port ?? 80, path: check?.path ?? "",
                checkIntervalSeconds: check?.checkInterval ?? 15, responseTimeoutSeconds: check?.responseTimeout ?? 5,
                unhealthyThreshold: check?.unhealthyThreshold ?? 5, healthyThreshold: check?.healthyThreshold ?? 5),
            balancingAlgorithm: LoadBalancer.BalancingAlgorithm(rawValue: genericInfo?.balancingAlgorithm ?? "") ?? .roundRobin,
            stickySessionCookie: cookie.isEmpty ? nil : cookie, proxyProtocol: genericInfo?.proxyProtocol ?? false,
            sslRedirect: genericInfo?.sslRedirect ?? false, hasSSL: hasSsl ?? false, nodes: nodes ?? 1,
            http2: http2, http3: http3, timeoutSeconds: genericInfo?.timeout,
            vpc: genericInfo?.vpc.flatMap { $0.isEmpty ? nil : $0 },
            autoSSL: autoSsl.flatMap { wire in
                wire.domainZone.flatMap { $0.isEmpty ? nil : LoadBalancer.AutoSSL(domainZone: $0, domainSub: wire.domainSub ?? "") }
            })
    }
}
