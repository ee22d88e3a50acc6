import Synchronization

/// A Prometheus histogram: observations counted into fixed buckets (upper bounds, seconds for
/// durations), with their sum and count. Get one from ``PrometheusRegistry/makeHistogram(label:dimensions:buckets:)``
/// once and keep it: observing is one lock and a scan of the bounds, nothing allocated.
public final class Histogram: Sendable {
    /// Upper bounds, ascending; `+Inf` is implied.
    public let bounds: [Double]

    struct Snapshot {
        /// Per bucket (not cumulative), the last one being `+Inf`.
        var counts: [Int64]
        var sum: Double
        var count: Int64
    }

    private let state: Mutex<Snapshot>

    /// Bounds for durations of calls and operations on a node or a controller, 1 ms to 2 min.
    public static let durationBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        state = Mutex(Snapshot(counts: Array(repeating: 0, count: bounds.count + 1), sum: 0, count: 0))
    }

    public func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        state.withLock { state in
            state.counts[index] += 1
            state.sum += value
            state.count += 1
        }
    }

    /// Observes a duration in seconds.
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) / 1e18)
    }

    var snapshot: Snapshot { state.withLock { $0 } }
}
