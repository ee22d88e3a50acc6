import Foundation
import Synchronization

/// The server-side rate limit: one token bucket per source address.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(burst, 1)
    }

    /// True when the call may go ahead; false when it is over the limit.
    func admit(_ source: String) -> Bool {
        guard rate > 0 else { return true }
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[source] ?? Bucket(tokens: burst, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.updated = now
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[source] = bucket
            return admitted
        }
    }

    /// Whole seconds until one token is back, at least 1 (what `Retry-After` carries).
    var retryAfterSeconds: Int { max(1, Int((1 / max(rate, 0.001)).rounded(.up))) }
}
