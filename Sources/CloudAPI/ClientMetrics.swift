import CoreMetrics
import Synchronization
import Telemetry

/// The client's metrics, with fixed dimensions:
/// - `cloudapi_requests_total{operation, status}`: HTTP exchanges (status `error` when none came back);
/// - `cloudapi_request_duration_seconds{operation}`: their duration;
/// - `cloudapi_retries_total{operation}`: retries;
/// - `cloudapi_throttles_total{operation, source}`: 429s from the server (`source=server`) and
///   waits in the client's own token bucket (`source=client`).
/// Labels carry only operation names and status codes, never request data or the key. Every handle
/// is made on first use and kept: exchanges go through Telemetry's `CallMetrics`, and the rarer
/// retries and throttles are looked up by their label values, with no key string built per call.
final class ClientMetrics: Sendable {
    private struct Labels: Hashable {
        var operation: String
        var source: String?
    }

    private let factory: any MetricsFactory
    private let exchanges: CallMetrics
    private let retries = Mutex<[Labels: Counter]>([:])
    private let throttles = Mutex<[Labels: Counter]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        exchanges = CallMetrics(total: "cloudapi_requests_total", duration: "cloudapi_request_duration_seconds",
                                key: "operation", outcome: "status", factory: factory)
    }

    func request(_ operation: String, status: String, duration: Duration) {
        exchanges.observe(operation, outcome: status, duration: duration)
    }

    func retry(_ operation: String) {
        counter(retries, "cloudapi_retries_total", Labels(operation: operation)).increment()
    }

    func throttle(_ operation: String, source: String) {
        counter(throttles, "cloudapi_throttles_total", Labels(operation: operation, source: source)).increment()
    }

    private func counter(_ table: borrowing Mutex<[Labels: Counter]>, _ label: String, _ labels: Labels) -> Counter {
        table.withLock { counters in
            if let counter = counters[labels] { return counter }
            var dimensions = [("operation", labels.operation)]
            if let source = labels.source { dimensions.append(("source", source)) }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[labels] = counter
            return counter
        }
    }
}
