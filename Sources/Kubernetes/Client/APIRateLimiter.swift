import Synchronization

/// Client-side rate limit: `qps` requests per second sustained, `burst` at once. Callers reserve
/// a slot and sleep until it comes due, so waiting requests are served in arrival order.
public final class APIRateLimiter: Sendable {
    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    public let qps: Double
    public let burst: Int
    private let state: Mutex<State>

    /// `qps <= 0` disables limiting.
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = max(burst, 1)
        self.state = Mutex(State(tokens: Double(max(burst, 1)), last: .now))
    }

    /// How long the caller must wait for its token (zero when one is available); the token is
    /// taken either way.
    public func reserve(now: ContinuousClock.Instant = .now) -> Duration {
        guard qps > 0 else { return .zero }
        return state.withLock { state in
            let elapsed = now - state.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(Double(burst), state.tokens + max(seconds, 0) * qps)
            state.last = max(now, state.last)
            state.tokens -= 1
            if state.tokens >= 0 { return .zero }
            return .seconds(-state.tokens / qps)
        }
    }

    /// Waits for a token.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
