import Synchronization

/// Counts what the server did, for `/metrics` (Prometheus text format).
final class RequestStats: Sendable {
    private struct Key: Hashable {
        var method: String
        var resource: String
        var status: Int
    }
    private struct State {
        var requests: [Key: Int] = [:]
        var faults: [String: Int] = [:]
        var dropped = 0
    }
    private let state = Mutex(State())

    func request(_ request: APIRequest, status: Int) {
        let key = Key(method: request.method, resource: Self.resource(request), status: status)
        state.withLock { $0.requests[key, default: 0] += 1 }
    }

    func fault(_ kind: String) {
        state.withLock { $0.faults[kind, default: 0] += 1 }
    }

    /// The resource family of a path, a small fixed set (never an id).
    static func resource(_ request: APIRequest) -> String {
        let p = request.pathComponents
        switch (p.first, p.count > 1 ? p[1] : nil) {
        case ("v1.json", _): return "metadata"
        case ("healthz", _): return "health"
        case ("v2", "blocks") where p.count > 2 && p[2] == "snapshots": return "snapshots"
        case ("v2", let family?) where ["regions", "instances", "blocks", "load-balancers", "routes"].contains(family):
            return family
        default: return "other"
        }
    }

    func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = "# HELP localcloud_requests_total HTTP requests answered, by method, resource family and status.\n"
        out += "# TYPE localcloud_requests_total counter\n"
        for (key, count) in snapshot.requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            out += "localcloud_requests_total{method=\"\(key.method)\",resource=\"\(key.resource)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP localcloud_faults_injected_total Faults injected, by kind.\n"
        out += "# TYPE localcloud_faults_injected_total counter\n"
        for (kind, count) in snapshot.faults.sorted(by: { $0.key < $1.key }) {
            out += "localcloud_faults_injected_total{fault=\"\(kind)\"} \(count)\n"
        }
        return out
    }
}
