import RateLimiting

/// The client-side rate limit: `RateLimiting`'s token bucket, the one the Kubernetes client and
/// the local cloud's limit use too — `rate` requests per second with bursts of up to `burst`,
/// callers reserving a slot in arrival order and sleeping until it comes. ``shared`` is the one
/// every client in the process uses unless given another.
public typealias TokenBucket = RateLimiting.TokenBucket

extension RateLimiting.TokenBucket {
    /// The process-wide bucket: 20 requests/s, bursts of 10.
    public static let shared = TokenBucket(rate: 20, burst: 10)
}
