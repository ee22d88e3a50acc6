import GRDB
import NIOSSL

extension APIHandler {
    private struct LoadBalancerBody: Decodable {
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
        struct Firewall: Decodable {
            var port: Int?
            var ipType: String?
            var source: String?
        }
        struct Sticky: Decodable {
            var cookieName: String?
        }
        struct AutoSSL: Decodable {
            var domainZone: String?
            var domainSub: String?
        }
        struct SSL: Decodable {
            var privateKey: String?
            var certificate: String?
            var chain: String?
        }
        var region: String?
        var label: String?
        var instances: [String]?
        var healthCheck: HealthCheck?
        var forwardingRules: [Rule]?
        var stickySession: Sticky?
        var ssl: SSL?
        var autoSsl: AutoSSL?
        var sslRedirect: Bool?
        var httpsRedirect: Bool?
        var proxyProtocol: Bool?
        /// Local-cloud extension: 1 or 2.
        var proxyProtocolVersion: Int?
        var http2: Bool?
        var http3: Bool?
        var timeout: Int?
        var balancingAlgorithm: String?
        var firewallRules: [Firewall]?
        var vpc: String?
        var nodes: Int?
    }

    private typealias LB = LoadBalancerRecord

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
        default: break
        }
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

    /// Validates the fields present in `body` and writes them into `lb`.
    private func apply(_ body: LoadBalancerBody, to lb: inout LB, _ db: Database) throws {
        if let label = body.label { lb.label = label }
        if let algorithm = body.balancingAlgorithm {
            guard ["roundrobin", "leastconn"].contains(algorithm) else {
                throw APIFailure(.badRequest, "balancing_algorithm must be roundrobin or leastconn, not '\(algorithm)'")
            }
            lb.genericInfo.balancingAlgorithm = algorithm
        }
        if let value = body.sslRedirect { lb.genericInfo.sslRedirect = value }
        if let value = body.httpsRedirect { lb.httpsRedirect = value }
        if let value = body.proxyProtocol { lb.genericInfo.proxyProtocol = value }
        if let version = body.proxyProtocolVersion {
            guard version == 1 || version == 2 else { throw APIFailure(.badRequest, "proxy_protocol_version must be 1 or 2") }
            lb.proxyProtocolVersion = version
        }
        if let value = body.vpc { lb.genericInfo.vpc = value }
        if let value = body.http2 { lb.http2 = value }
        if let value = body.http3 { lb.http3 = value }
        if let value = body.timeout {
            guard (1...3600).contains(value) else { throw APIFailure(.badRequest, "timeout must be between 1 and 3600 seconds") }
            lb.genericInfo.timeout = value
        }
        if let sticky = body.stickySession { lb.genericInfo.stickySessions.cookieName = sticky.cookieName ?? "" }
        if let nodes = body.nodes {
            guard (1...99).contains(nodes) else { throw APIFailure(.badRequest, "nodes must be between 1 and 99") }
            lb.nodes = nodes
        }
        if let ssl = body.ssl {
            guard let key = ssl.privateKey, !key.isEmpty, let cert = ssl.certificate, !cert.isEmpty else {
                throw APIFailure(.badRequest, "ssl needs private_key and certificate")
            }
            let material = BalancerSpec.TLSMaterial(privateKey: key, certificate: cert, chain: ssl.chain ?? "")
            do {
                _ = try material.makeServerContext()
            } catch {
                // The reason names the part that failed, never the key's text.
                throw APIFailure(.badRequest, "ssl: certificate, chain and private_key must be PEM and belong together")
            }
            try Store.setTLS(material, loadBalancer: lb.id, db)
            lb.hasSsl = true
        }
        if let auto = body.autoSsl {
            guard let zone = auto.domainZone?.lowercased(), !zone.isEmpty else {
                throw APIFailure(.badRequest, "auto_ssl needs domain_zone")
            }
            let wanted = LB.AutoSSL(domainZone: zone, domainSub: auto.domainSub?.lowercased() ?? "")
            let labels = wanted.domainName.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }) else {
                throw APIFailure(.badRequest, "auto_ssl: '\(wanted.domainName)' is not a domain name")
            }
            if lb.autoSsl != wanted || !lb.hasSsl {
                let material: BalancerSpec.TLSMaterial
                do {
                    material = try AutoCertificate.make(for: wanted.domainName)
                } catch {
                    throw APIFailure(.internalError, "auto_ssl: could not make a certificate for \(wanted.domainName)")
                }
                try Store.setTLS(material, loadBalancer: lb.id, db)
            }
            lb.autoSsl = wanted
            lb.hasSsl = true
        } else if body.ssl != nil {
            lb.autoSsl = nil
        }
        if let check = body.healthCheck {
            var h = lb.healthCheck
            if let p = check.protocol {
                guard ["http", "https", "tcp"].contains(p) else {
                    throw APIFailure(.badRequest, "health_check.protocol must be http, https or tcp, not '\(p)'")
                }
                h.protocol = p
            }
            if let port = check.port { h.port = try Self.port(port, "health_check.port") }
            if let path = check.path { h.path = path }
            if let v = check.checkInterval { h.checkInterval = try Self.positive(v, "health_check.check_interval") }
            if let v = check.responseTimeout { h.responseTimeout = try Self.positive(v, "health_check.response_timeout") }
            if let v = check.unhealthyThreshold { h.unhealthyThreshold = try Self.positive(v, "health_check.unhealthy_threshold") }
            if let v = check.healthyThreshold { h.healthyThreshold = try Self.positive(v, "health_check.healthy_threshold") }
            lb.healthCheck = h
        }
        if let rules = body.forwardingRules {
            let parsed = try rules.enumerated().map { try Self.forwardingRule($1, index: $0) }
            guard Set(parsed.map { "\($0.frontendProtocol == "udp")/\($0.frontendPort)" }).count == parsed.count else {
                throw APIFailure(.badRequest, "forwarding_rules repeat a frontend_port")
            }
            if parsed.contains(where: { $0.frontendProtocol == "https" }), !lb.hasSsl {
                throw APIFailure(.badRequest, "an https forwarding rule needs ssl")
            }
            lb.forwardingRules = parsed
        }
        if let rules = body.firewallRules {
            lb.firewallRules = try rules.enumerated().map { index, rule in
                let field = "firewall_rules[\(index)]"
                guard let port = rule.port else { throw APIFailure(.badRequest, "missing field '\(field).port'") }
                let ipType = rule.ipType ?? "v4"
                guard ["v4", "v6"].contains(ipType) else {
                    throw APIFailure(.badRequest, "\(field).ip_type must be v4 or v6")
                }
                guard let source = rule.source, !source.isEmpty else {
                    throw APIFailure(.badRequest, "missing field '\(field).source'")
                }
                guard source == "cloudflare" || ipType == "v6" || AddressPool.parse(source) != nil else {
                    throw APIFailure(.badRequest, "\(field).source must be a CIDR or 'cloudflare', not '\(source)'")
                }
                return .init(id: Self.newID(), port: try Self.port(port, "\(field).port"), source: source, ipType: ipType)
            }
        }
        if let instances = body.instances {
            // Instances and bare-metal servers alike (Vultr's CCM lists every node's machine).
            for id in instances where try Store.find(InstanceRecord.self, id: id, db) == nil
                && Store.find(BareMetalRecord.self, id: id, db) == nil {
                throw APIFailure.notFound("instance", id)
            }
            lb.instances = instances
        }
    }

    private static func forwardingRule(_ rule: LoadBalancerBody.Rule, index: Int) throws -> LB.ForwardingRule {
        let field = "forwarding_rules[\(index)]"
        let protocols = ["http", "https", "tcp", "udp"]
        guard let fp = rule.frontendProtocol, protocols.contains(fp) else {
            throw APIFailure(.badRequest, "\(field).frontend_protocol must be http, https, tcp or udp")
        }
        guard let bp = rule.backendProtocol, protocols.contains(bp) else {
            throw APIFailure(.badRequest, "\(field).backend_protocol must be http, https, tcp or udp")
        }
        guard (fp == "udp") == (bp == "udp") else {
            throw APIFailure(.badRequest, "\(field): udp forwards only to udp (frontend_protocol and backend_protocol both udp)")
        }
        guard let fport = rule.frontendPort else { throw APIFailure(.badRequest, "missing field '\(field).frontend_port'") }
        guard let bport = rule.backendPort else { throw APIFailure(.badRequest, "missing field '\(field).backend_port'") }
        return .init(
            id: newID(), frontendProtocol: fp, frontendPort: try port(fport, "\(field).frontend_port"),
            backendProtocol: bp, backendPort: try port(bport, "\(field).backend_port"))
    }

    /// The `n`th load balancer's IPv6 address, from the documentation prefix (`2001:db8:3::/64`):
    /// reported like Vultr's `ipv6`, not served by the data plane (which listens on IPv4 loopback).
    static func loadBalancerIPv6(_ n: Int) -> String {
        "2001:db8:3::\(String(n >> 16 & 0xffff, radix: 16)):\(String(n & 0xffff, radix: 16))"
    }

    private static func port(_ value: Int, _ field: String) throws(APIFailure) -> Int {
        guard (1...65535).contains(value) else { throw APIFailure(.badRequest, "\(field) must be between 1 and 65535") }
        return value
    }

    private static func positive(_ value: Int, _ field: String) throws(APIFailure) -> Int {
        guard value > 0 else { throw APIFailure(.badRequest, "\(field) must be positive") }
        return value
    }

    /// The record with the data plane's view added (`health_status`, `listener_errors`).
    private func withStatus(_ lb: LB) -> LB {
        var lb = lb
        if let entry = dataPlaneStatus.entry(lb.id) {
            lb.healthStatus = entry.health
            lb.listenerErrors = entry.listenerErrors
        }
        return lb
    }

    /// What the data plane should run: every active load balancer with its targets' internal
    /// addresses and its TLS material.
    func balancerSpecs() throws -> [BalancerSpec] {
        try store.write { db in
            let instances = Dictionary(
                try Store.all(InstanceRecord.self, db).map { ($0.id, $0.internalIp) }
                    + Store.all(BareMetalRecord.self, db).map { ($0.id, $0.internalIp) },
                uniquingKeysWith: { a, _ in a })
            let tls = try Store.allTLS(db)
            return try Store.all(LB.self, db).filter { $0.status == "active" }.map { lb in
                BalancerSpec(
                    id: lb.id, address: lb.ipv4,
                    rules: lb.forwardingRules.map {
                        .init(frontendProtocol: $0.frontendProtocol, frontendPort: $0.frontendPort,
                              backendProtocol: $0.backendProtocol, backendPort: $0.backendPort)
                    },
                    targets: lb.instances.compactMap { id in
                        instances[id].flatMap { $0.isEmpty ? nil : .init(instanceID: id, address: $0) }
                    },
                    algorithm: .init(rawValue: lb.genericInfo.balancingAlgorithm) ?? .roundRobin,
                    proxyProtocol: lb.genericInfo.proxyProtocol ? lb.proxyProtocolVersion ?? 1 : nil,
                    stickyCookie: lb.genericInfo.stickySessions.cookieName.isEmpty ? nil : lb.genericInfo.stickySessions.cookieName,
                    sslRedirect: lb.genericInfo.sslRedirect,
                    healthCheck: lb.healthCheck,
                    firewall: FirewallPolicy(lb.firewallRules.map { ($0.port, $0.ipType, $0.source) }),
                    tls: lb.hasSsl ? tls[lb.id] : nil)
            }
        }
    }
}
