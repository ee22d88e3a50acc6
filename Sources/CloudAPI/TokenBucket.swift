/// A client-side rate limiter: `rate` requests per second with bursts of up to `burst`.
/// Callers reserve a slot in arrival order and sleep until it comes. ``shared`` is the one every
/// client in the process uses unless given another.
public actor TokenBucket {
    public nonisolated let rate: Double
    public nonisolated let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    public init(rate: Double, burst: Double) {
        precondition(rate > 0, "rate must be positive")
        self.rate = rate
        self.burst = max(1, burst)
        tokens = max(1, burst)
        updated = .now
    }

    /// The process-wide bucket: 20 requests/s, bursts of 10.
    public static let shared = TokenBucket(rate: 20, burst: 10)

    /// Takes one token, waiting for it if none is left. Returns how long the caller waited.
    @discardableResult
    public func acquire() async throws -> Duration {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
        return wait
    }

    /// Takes a token now (the balance may go negative) and says how long until it is covered.
    private func reserve() -> Duration {
        let now = ContinuousClock.now
        let elapsed = updated.duration(to: now)
        updated = now
        tokens = min(burst, tokens + elapsed.seconds * rate)
        tokens -= 1
        return tokens >= 0 ? .zero : .seconds(-tokens / rate)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
