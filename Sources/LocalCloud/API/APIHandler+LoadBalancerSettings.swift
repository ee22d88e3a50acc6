import GRDB
import NIOSSL

/// Validation of a load balancer's settings, written into its record field by field.
extension APIHandler {
    /// Validates the fields present in `body` and writes them into `lb`.
    func apply(_ body: LoadBalancerBody, to lb: inout LB, _ db: Database) throws {
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

    static func forwardingRule(_ rule: LoadBalancerBody.Rule, index: Int) throws -> LB.ForwardingRule {
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

    static func port(_ value: Int, _ field: String) throws(APIFailure) -> Int {
        guard (1...65535).contains(value) else { throw APIFailure(.badRequest, "\(field) must be between 1 and 65535") }
        return value
    }

    static func positive(_ value: Int, _ field: String) throws(APIFailure) -> Int {
        guard value > 0 else { throw APIFailure(.badRequest, "\(field) must be positive") }
        return value
    }
}
