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
}
