import GRDB

/// `/v2/load-balancers`: list, create, read, update (`PATCH`) and delete.
extension APIHandler {
    typealias LB = LoadBalancerRecord

    func loadBalancers(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0):
            let page = try Store.page(LB.self, try Pagination(query: r.query), db)
            return .json(ListBody(key: "load_balancers", items: page.items.map(withStatus), total: page.total, next: page.next))
        case ("POST", 0): return try createLoadBalancer(r, db)
        case ("GET", 1): return .json(Wrapped("load_balancer", withStatus(try Store.require(LB.self, id: rest[0], db))))
        case ("PATCH", 1): return try updateLoadBalancer(rest[0], r, db)
        case ("DELETE", 1):
            _ = try Store.require(LB.self, id: rest[0], db)
            try Store.delete(LB.self, id: rest[0], db)
            try Store.setTLS(nil, loadBalancer: rest[0], db)
            return .noContent()
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        default: return try loadBalancerRules(r, rest, db)
        }
    }

    private func createLoadBalancer(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(LoadBalancerBody.self)
        let region = try requireRegion(body.region)
        let n = try Store.next("load_balancer", db)
        var lb = LB(
            id: Self.newID(), dateCreated: Self.timestamp(), region: region, label: "", status: "pending",
            ipv4: try loadBalancerPool.address(n), ipv6: Self.loadBalancerIPv6(n),
            genericInfo: .init(
                balancingAlgorithm: "roundrobin", sslRedirect: false, proxyProtocol: false,
                stickySessions: .init(cookieName: ""), vpc: "", timeout: 600),
            healthCheck: .init(
                protocol: "tcp", port: 80, path: "", checkInterval: 15, responseTimeout: 5,
                unhealthyThreshold: 5, healthyThreshold: 5),
            hasSsl: false, httpsRedirect: false, forwardingRules: [], firewallRules: [], instances: [], nodes: 1)
        guard let rules = body.forwardingRules, !rules.isEmpty else {
            throw APIFailure(.badRequest, "at least one forwarding rule is required")
        }
        try apply(body, to: &lb, db)
        try Store.insert(lb, readyAt: readyAt, db)
        return .json(202, Wrapped("load_balancer", lb))
    }

    private func updateLoadBalancer(_ id: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(LoadBalancerBody.self)
        var lb = try Store.require(LB.self, id: id, db)
        if let region = body.region, region != lb.region {
            throw APIFailure(.badRequest, "the region of a load balancer cannot change")
        }
        if let rules = body.forwardingRules, rules.isEmpty {
            throw APIFailure(.badRequest, "at least one forwarding rule is required")
        }
        try apply(body, to: &lb, db)
        try Store.update(lb, db)
        return .noContent()
    }

    /// The `n`th load balancer's IPv6 address, from the documentation prefix (`2001:db8:3::/64`):
    /// reported like Vultr's `ipv6`, not served by the data plane (which listens on IPv4 loopback).
    static func loadBalancerIPv6(_ n: Int) -> String {
        "2001:db8:3::\(String(n >> 16 & 0xffff, radix: 16)):\(String(n & 0xffff, radix: 16))"
    }

    /// The record with the data plane's view added (`health_status`, `listener_errors`).
    func withStatus(_ lb: LB) -> LB {
        var lb = lb
        if let entry = dataPlaneStatus.entry(lb.id) {
            lb.healthStatus = entry.health
            lb.listenerErrors = entry.listenerErrors
        }
        return lb
    }
}
