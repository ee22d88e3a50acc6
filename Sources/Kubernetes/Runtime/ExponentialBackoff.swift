/// Per-failure delay: `base × 2^failures`, capped at `maximum` (5 s → 300 s by default).
public struct ExponentialBackoff: Sendable, Hashable {
    public var base: Duration
    public var maximum: Duration

    public init(base: Duration = .seconds(5), maximum: Duration = .seconds(300)) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay before the next attempt after `failures` earlier failures (0 → `base`).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = base
        for _ in 0..<min(failures, 62) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
