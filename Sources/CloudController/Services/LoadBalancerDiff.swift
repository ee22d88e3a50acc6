import CloudAPI

/// Which parts of a load balancer differ from what a plan asks for: the names of the fields one
/// update call would change (empty when the load balancer is as asked).
enum LoadBalancerDiff {
    static func changes(from actual: LoadBalancer, to plan: LoadBalancerPlan, appliedFingerprint: String?) -> [String] {
        let desired = plan.spec
        var changed: [String] = []
        func check(_ name: String, _ differs: Bool) { if differs { changed.append(name) } }
        check("label", actual.label != desired.label)
        check("instances", Set(actual.instanceIDs) != Set(desired.instanceIDs))
        check("forwarding_rules", Set(actual.forwardingRules) != Set(desired.forwardingRules))
        check("firewall_rules", Set(actual.firewallRules) != Set(desired.firewallRules))
        check("health_check", !sameHealthCheck(actual.healthCheck, desired.healthCheck))
        check("balancing_algorithm", actual.balancingAlgorithm != desired.balancingAlgorithm)
        check("sticky_session", actual.stickySessionCookie != desired.stickySessionCookie)
        check("proxy_protocol", actual.proxyProtocol != desired.proxyProtocol)
        check("ssl_redirect", actual.sslRedirect != desired.sslRedirect)
        check("ssl", desired.ssl != nil && !actual.hasSSL)
        check("auto_ssl", desired.autoSSL.map { $0 != actual.autoSSL || !actual.hasSSL } ?? false)
        check("nodes", desired.nodes.map { $0 != actual.nodes } ?? false)
        // Leaving a VPC is not expressible in an update (an omitted vpc keeps it): only joining one is compared.
        check("vpc", desired.vpc.map { $0 != actual.vpc } ?? false)
        // Reported by Vultr, not by every backend: compared when reported, else covered by the fingerprint.
        check("http2", actual.http2.map { $0 != desired.http2 } ?? false)
        check("http3", actual.http3.map { $0 != desired.http3 } ?? false)
        check("timeout", actual.timeoutSeconds.map { $0 != desired.timeoutSeconds } ?? false)
        check("unreported settings (TLS certificate, http2, http3, timeout)", appliedFingerprint != plan.fingerprint.description)
        return changed
    }

    private static func sameHealthCheck(_ a: LoadBalancer.HealthCheck, _ b: LoadBalancer.HealthCheck) -> Bool {
        var a = a, b = b
        if a.protocol == .tcp { a.path = "" }
        if b.protocol == .tcp { b.path = "" }
        return a == b
    }
}
