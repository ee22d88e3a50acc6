import Prometheus
import Synchronization

/// Counts what the server did, in a Prometheus registry served at `/metrics`:
/// `localcloud_requests_total{method,resource,status}` and
/// `localcloud_faults_injected_total{fault}`. Each counter is made on its first use and kept.
final class RequestStats: Sendable {
    private struct Key: Hashable {
        var method: String
        var resource: String
        var status: Int
    }

    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "localcloud_requests", unitName: "total",
            helpText: "HTTP requests answered, by method, resource family and status.")
    }
    private static var faultsName: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "localcloud_faults_injected", unitName: "total", helpText: "Faults injected, by kind.")
    }

    private let registry: PrometheusCollectorRegistry
    private let requests = Mutex<[Key: Counter]>([:])
    private let faults = Mutex<[String: Counter]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func request(_ request: APIRequest, status: Int) {
        let key = Key(method: request.method, resource: Self.resource(request), status: status)
        let counter = requests.withLock { requests in
            if let counter = requests[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.requestsName,
                labels: [("method", key.method), ("resource", key.resource), ("status", String(key.status))])
            requests[key] = counter
            return counter
        }
        counter.increment()
    }

    func fault(_ kind: String) {
        let counter = faults.withLock { faults in
            if let counter = faults[kind] { return counter }
            let counter = registry.makeCounter(descriptor: Self.faultsName, labels: [("fault", kind)])
            faults[kind] = counter
            return counter
        }
        counter.increment()
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
}
