import CoreMetrics
import Synchronization

/// Counts and durations of calls of some kind in a ``PrometheusRegistry``: a counter per call
/// name and outcome (`<total>{<key>,<outcome>}`) and a duration histogram per call name
/// (`<duration>{<key>}`). For gRPC: `csi_rpc_requests_total{method,code}` and
/// `csi_rpc_duration_seconds{method}`. Handles are made on a name's (and outcome's) first call
/// and kept, so a call costs two short locked lookups.
public final class CallMetrics: Sendable {
    private final class Entry: Sendable {
        let duration: Histogram
        let outcomes = Mutex<[String: any CounterHandler]>([:])
        init(duration: Histogram) { self.duration = duration }
    }

    private let registry: PrometheusRegistry
    private let total: String
    private let duration: String
    private let key: String
    private let outcome: String
    private let entries = Mutex<[String: Entry]>([:])

    /// `names` are made up front, so their histograms show (empty) before the first call.
    public init(
        registry: PrometheusRegistry, total: String, duration: String, key: String, outcome: String, names: [String] = []
    ) {
        self.registry = registry
        self.total = total
        self.duration = duration
        self.key = key
        self.outcome = outcome
        for name in names { _ = entry(name) }
    }

    /// gRPC calls: `<prefix>_requests_total{method,code}`, `<prefix>_duration_seconds{method}`.
    public static func rpc(registry: PrometheusRegistry, prefix: String, methods: [String] = []) -> CallMetrics {
        CallMetrics(registry: registry, total: prefix + "_requests_total", duration: prefix + "_duration_seconds",
                    key: "method", outcome: "code", names: methods)
    }

    /// Counts one finished call of `name` with `outcome` (e.g. `OK`, `INVALID_ARGUMENT`) and
    /// records how long it took.
    public func observe(_ name: String, outcome: String, duration: Duration) {
        let entry = entry(name)
        entry.duration.observe(duration)
        let counter = entry.outcomes.withLock { outcomes in
            if let counter = outcomes[outcome] { return counter }
            let counter = registry.makeCounter(label: total, dimensions: [(key, name), (self.outcome, outcome)])
            outcomes[outcome] = counter
            return counter
        }
        counter.increment(by: 1)
    }

    private func entry(_ name: String) -> Entry {
        if let known = entries.withLock({ $0[name] }) { return known }
        let made = Entry(duration: registry.makeHistogram(
            label: duration, dimensions: [(key, name)], buckets: Histogram.durationBounds))
        return entries.withLock { entries in
            if let known = entries[name] { return known }
            entries[name] = made
            return made
        }
    }
}
