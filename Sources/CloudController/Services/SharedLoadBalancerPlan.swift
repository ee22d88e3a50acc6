import CloudAPI

/// The load balancer several Services share through one `label`: the first accepted member's
/// settings, the union of every accepted member's forwarding and firewall rules. A member is
/// accepted when it agrees with those before it; ``conflict(with:member:)`` says why not.
struct SharedLoadBalancerPlan: Sendable {
    private(set) var plan: LoadBalancerPlan
    /// Which member forwards each frontend port, and how.
    private var ports: [Int: (rule: LoadBalancer.ForwardingRule, member: String)] = [:]
    /// The member whose settings the load balancer carries (the first accepted).
    private let settingsOwner: String
    private(set) var members: [String] = []

    init(first: LoadBalancerPlan, member: String) {
        plan = first
        settingsOwner = member
        for rule in first.spec.forwardingRules { ports[rule.frontendPort] = (rule, member) }
        members = [member]
    }

    /// Why `other` cannot join: a frontend port another member forwards differently, or
    /// load-balancer-wide settings that differ. Nil when it can.
    func conflict(with other: LoadBalancerPlan, member: String) -> String? {
        for rule in other.spec.forwardingRules {
            if let taken = ports[rule.frontendPort], taken.rule != rule {
                return "frontend port \(rule.frontendPort) is already forwarded by Service \(taken.member) "
                    + "(\(Self.describe(taken.rule)), this Service asks for \(Self.describe(rule)))"
            }
        }
        let differing = Self.settingDifferences(plan, other)
        if !differing.isEmpty {
            return "its load balancer settings (\(differing.joined(separator: ", "))) differ from those of Service \(settingsOwner), which the shared load balancer carries"
        }
        return nil
    }

    /// Adds an accepted member's rules.
    mutating func add(_ other: LoadBalancerPlan, member: String) {
        for rule in other.spec.forwardingRules where ports[rule.frontendPort] == nil {
            ports[rule.frontendPort] = (rule, member)
        }
        plan.spec.forwardingRules = ports.keys.sorted().compactMap { ports[$0]?.rule }
        plan.spec.firewallRules = Set(plan.spec.firewallRules + other.spec.firewallRules)
            .sorted { ($0.port, $0.source, $0.isIPv6 ? 1 : 0) < ($1.port, $1.source, $1.isIPv6 ? 1 : 0) }
        members.append(member)
    }

    /// The load-balancer-wide settings two plans disagree on, by wire name.
    static func settingDifferences(_ a: LoadBalancerPlan, _ b: LoadBalancerPlan) -> [String] {
        let x = a.spec, y = b.spec
        var names: [String] = []
        func check(_ name: String, _ differs: Bool) { if differs { names.append(name) } }
        check("region", x.region != y.region)
        check("health_check", x.healthCheck != y.healthCheck)
        check("balancing_algorithm", x.balancingAlgorithm != y.balancingAlgorithm)
        check("sticky_session", x.stickySessionCookie != y.stickySessionCookie)
        check("proxy_protocol", x.proxyProtocol != y.proxyProtocol)
        check("ssl_redirect", x.sslRedirect != y.sslRedirect)
        check("ssl", x.ssl != y.ssl)
        check("auto_ssl", x.autoSSL != y.autoSSL)
        check("vpc", x.vpc != y.vpc)
        check("nodes", x.nodes != y.nodes)
        check("http2", x.http2 != y.http2)
        check("http3", x.http3 != y.http3)
        check("timeout", x.timeoutSeconds != y.timeoutSeconds)
        return names
    }

    private static func describe(_ rule: LoadBalancer.ForwardingRule) -> String {
        "\(rule.frontendProtocol.rawValue) → \(rule.backendProtocol.rawValue) \(rule.backendPort)"
    }
}
