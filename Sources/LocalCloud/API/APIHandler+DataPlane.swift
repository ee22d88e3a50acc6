import Foundation
import GRDB

extension APIHandler {
    /// When the next pending load balancer turns active (the data plane must start it then);
    /// nil when none is pending.
    func nextBalancerReadyAt() throws -> Date? {
        try store.write { db in
            try Double.fetchOne(
                db, sql: "SELECT MIN(ready_at) FROM resource WHERE kind = ? AND ready_at IS NOT NULL",
                arguments: [LoadBalancerRecord.kind]
            ).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Whether a request that succeeded may have changed what the data plane runs: any change
    /// to load balancers (their rules, TLS, targets) or to instances (their addresses, their
    /// existence), which are the load balancers' targets.
    static func changesDataPlane(_ request: APIRequest, status: Int) -> Bool {
        guard (200..<300).contains(status), request.method != "GET", request.method != "HEAD" else { return false }
        let path = request.pathComponents
        guard path.count >= 2, path[0] == "v2" else { return false }
        return ["load-balancers", "instances", "bare-metals"].contains(path[1])
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
            return try Store.all(LoadBalancerRecord.self, db).filter { $0.status == "active" }.map { lb in
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
