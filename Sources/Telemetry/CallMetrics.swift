import CoreMetrics
import Synchronization

/// Counts and durations of calls of some kind, through swift-metrics: a counter per call name and
/// outcome (`<total>{<key>,<outcome>}`) and a duration timer per call name (`<duration>{<key>}`,
/// a histogram in the Prometheus registry). For gRPC: `csi_rpc_requests_total{method,code}` and
/// `csi_rpc_duration_seconds{method}`. Handles are made on a name's (and outcome's) first call
/// and kept, so a call costs two short locked lookups and allocates nothing.
public final class CallMetrics: Sendable {
    private final class Entry: Sendable {
        let duration: CoreMetrics.Timer
        let outcomes = Mutex<[String: CoreMetrics.Counter]>([:])
        init(duration: CoreMetrics.Timer) { self.duration = duration }
    }

    /// nil: the bootstrapped factory, looked up when a handle is first made (so a `CallMetrics`
    /// made before ``ProcessMetrics/bootstrap()`` still reports).
    private let factory: (any MetricsFactory)?
    private let total: String
    private let duration: String
    private let key: String
    private let outcome: String
    private let entries = Mutex<[String: Entry]>([:])

    /// `names` are made up front, so their histograms show (empty) before the first call.
    /// `factory` defaults to the bootstrapped one (``ProcessMetrics/bootstrap()``).
    public init(
        total: String, duration: String, key: String, outcome: String, names: [String] = [],
        factory: (any MetricsFactory)? = nil
    ) {
        self.factory = factory
        self.total = total
        self.duration = duration
        self.key = key
        self.outcome = outcome
        for name in names { _ = entry(name) }
    }

    /// gRPC calls: `<prefix>_requests_total{method,code}`, `<prefix>_duration_seconds{method}`.
    public static func rpc(
        prefix: String, methods: [String] = [], factory: (any MetricsFactory)? = nil
    ) -> CallMetrics {
        CallMetrics(total: prefix + "_requests_total", duration: prefix + "_duration_seconds",
                    key: "method", outcome: "code", names: methods, factory: factory)
    }

    /// Counts one finished call of `name` with `outcome` (e.g. `OK`, `INVALID_ARGUMENT`) and
    /// records how long it took.
    public func observe(_ name: String, outcome: String, duration: Duration) {
        let entry = entry(name)
        let (seconds, attoseconds) = duration.components
        entry.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let counter = entry.outcomes.withLock { outcomes in
            if let counter = outcomes[outcome] { return counter }
            let counter = CoreMetrics.Counter(
                label: total, dimensions: [(key, name), (self.outcome, outcome)], factory: factory ?? MetricsSystem.factory)
            outcomes[outcome] = counter
            return counter
        }
        counter.increment()
    }

    private func entry(_ name: String) -> Entry {
        if let known = entries.withLock({ $0[name] }) { return known }
        return entries.withLock { entries in
            if let known = entries[name] { return known }
            let made = Entry(duration: CoreMetrics.Timer(
                label: duration, dimensions: [(key, name)], factory: factory ?? MetricsSystem.factory))
            entries[name] = made
            return made
        }
    }
}
