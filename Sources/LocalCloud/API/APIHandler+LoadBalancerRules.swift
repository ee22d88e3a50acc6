import GRDB

/// A load balancer's forwarding and firewall rules as sub-resources.
extension APIHandler {
    /// `/v2/load-balancers/{id}/forwarding-rules[/{rule}]` and `…/firewall-rules[/{rule}]`.
    func loadBalancerRules(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        var lb = try Store.require(LB.self, id: rest[0], db)
        switch (r.method, rest[1], rest.count) {
        case ("GET", "forwarding-rules", 2):
            return .json(ListBody(key: "forwarding_rules", items: lb.forwardingRules, total: lb.forwardingRules.count, next: nil))
        case ("POST", "forwarding-rules", 2):
            let body = try r.decode(LoadBalancerBody.Rule.self)
            let rule = try Self.forwardingRule(body, index: 0)
            guard !lb.forwardingRules.contains(where: { $0.frontendPort == rule.frontendPort && ($0.frontendProtocol == "udp") == (rule.frontendProtocol == "udp") }) else {
                throw APIFailure(.conflict, "a forwarding rule for frontend port \(rule.frontendPort) already exists")
            }
            if rule.frontendProtocol == "https", !lb.hasSsl {
                throw APIFailure(.badRequest, "an https forwarding rule needs ssl")
            }
            lb.forwardingRules.append(rule)
            try Store.update(lb, db)
            return .json(201, Wrapped("forwarding_rule", rule))
        case ("GET", "forwarding-rules", 3):
            guard let rule = lb.forwardingRules.first(where: { $0.id == rest[2] }) else {
                throw APIFailure.notFound("forwarding rule", rest[2])
            }
            return .json(Wrapped("forwarding_rule", rule))
        case ("DELETE", "forwarding-rules", 3):
            guard lb.forwardingRules.contains(where: { $0.id == rest[2] }) else {
                throw APIFailure.notFound("forwarding rule", rest[2])
            }
            lb.forwardingRules.removeAll { $0.id == rest[2] }
            try Store.update(lb, db)
            return .noContent()
        case ("GET", "firewall-rules", 2):
            return .json(ListBody(key: "firewall_rules", items: lb.firewallRules, total: lb.firewallRules.count, next: nil))
        case ("GET", "firewall-rules", 3):
            guard let rule = lb.firewallRules.first(where: { $0.id == rest[2] }) else {
                throw APIFailure.notFound("firewall rule", rest[2])
            }
            return .json(Wrapped("firewall_rule", rule))
        case (_, "forwarding-rules", 2), (_, "forwarding-rules", 3), (_, "firewall-rules", 2), (_, "firewall-rules", 3):
            throw Self.methodNotAllowed(r)
        default:
            throw Self.noSuchEndpoint(r)
        }
    }
}
