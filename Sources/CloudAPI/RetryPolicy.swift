/// When and how long to wait before retrying: exponential backoff with full jitter, capped,
/// and never shorter than a `Retry-After` the server asked for.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, including the first.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    /// The longest `Retry-After` obeyed; a server asking for more gets this.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before attempt `attempt + 1`, after attempt `attempt` (from 1) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        // Full jitter over the upper half keeps some backoff while spreading callers out.
        let jittered = ceiling * Double.random(in: 0.5...1.0)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }
}
