import CoreMetrics
import Synchronization

/// The client's metrics, with fixed dimensions:
/// - `cloudapi_requests_total{operation, status}`: HTTP exchanges (status `error` when none came back);
/// - `cloudapi_request_duration_seconds{operation}`: their duration;
/// - `cloudapi_retries_total{operation}`: retries;
/// - `cloudapi_throttles_total{operation, source}`: 429s from the server (`source=server`) and
///   waits in the client's own token bucket (`source=client`).
/// Labels carry only operation names and status codes, never request data or the key.
final class ClientMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func request(_ operation: String, status: String, duration: Duration) {
        counter("cloudapi_requests_total", [("operation", operation), ("status", status)]).increment()
        timer(operation).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func retry(_ operation: String) {
        counter("cloudapi_retries_total", [("operation", operation)]).increment()
    }

    func throttle(_ operation: String, source: String) {
        counter("cloudapi_throttles_total", [("operation", operation), ("source", source)]).increment()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private func timer(_ operation: String) -> Timer {
        timers.withLock { timers in
            if let timer = timers[operation] { return timer }
            let timer = Timer(
                label: "cloudapi_request_duration_seconds", dimensions: [("operation", operation)], factory: factory)
            timers[operation] = timer
            return timer
        }
    }
}
