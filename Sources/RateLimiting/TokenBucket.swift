import Synchronization

/// A token bucket: `rate` tokens a second, at most `burst` saved up, starting full.
///
/// Two ways to spend a token. A client that must go ahead eventually calls ``reserve(now:)``
/// (or ``acquire()``): it takes a token even when none is left — the balance goes negative — and
/// learns how long to sleep until that token is covered, so waiting callers are served in
/// arrival order (the Kubernetes client). A server that turns the excess away calls
/// ``admit(now:)``: a token is taken only when one is there (the local cloud's 429).
///
/// `rate <= 0` turns the limit off: every call goes ahead at once.
public final class TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double

    private struct State {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let state: Mutex<State>

    /// `burst` below 1 counts as 1.
    public init(rate: Double, burst: Double, now: ContinuousClock.Instant = .now) {
        self.rate = rate
        self.burst = max(burst, 1)
        state = Mutex(State(tokens: max(burst, 1), updated: now))
    }

    /// Takes a token, owing it when none is left, and says how long the caller must wait until
    /// it is covered (zero when one was there).
    public func reserve(now: ContinuousClock.Instant = .now) -> Duration {
        guard rate > 0 else { return .zero }
        return state.withLock { state in
            refill(&state, now: now)
            state.tokens -= 1
            return state.tokens >= 0 ? .zero : .seconds(-state.tokens / rate)
        }
    }

    /// Takes a token if one is there: true when the call may go ahead, false when it is over
    /// the limit (nothing is taken then).
    public func admit(now: ContinuousClock.Instant = .now) -> Bool {
        guard rate > 0 else { return true }
        return state.withLock { state in
            refill(&state, now: now)
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }

    /// Waits for a token (see ``reserve(now:)``) and returns how long it waited.
    @discardableResult
    public func acquire() async throws -> Duration {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
        return wait
    }

    /// Whole seconds until one token comes back, at least 1: what a `Retry-After` header says.
    public var retryAfterSeconds: Int { Self.retryAfterSeconds(rate: rate) }

    /// Whole seconds one token takes at `rate`, at least 1.
    public static func retryAfterSeconds(rate: Double) -> Int {
        max(1, Int((1 / max(rate, 0.001)).rounded(.up)))
    }

    /// Adds what accrued since the last call, up to `burst`. A `now` earlier than the last call
    /// (callers pass their own instants) adds nothing and does not move the clock back.
    private func refill(_ state: inout State, now: ContinuousClock.Instant) {
        let elapsed = state.updated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        state.tokens = min(burst, state.tokens + max(seconds, 0) * rate)
        state.updated = max(now, state.updated)
    }
}
