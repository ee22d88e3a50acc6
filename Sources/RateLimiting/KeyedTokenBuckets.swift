import Synchronization

/// One ``TokenBucket`` per key (a client's source address, say), each made full on the key's
/// first call and all with the same rate and burst.
public final class KeyedTokenBuckets<Key: Hashable & Sendable>: Sendable {
    public let rate: Double
    public let burst: Double
    private let buckets = Mutex<[Key: TokenBucket]>([:])

    /// `rate <= 0` turns the limit off.
    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(burst, 1)
    }

    /// The key's bucket, made on first use.
    public func bucket(_ key: Key) -> TokenBucket {
        buckets.withLock { buckets in
            if let bucket = buckets[key] { return bucket }
            let bucket = TokenBucket(rate: rate, burst: burst)
            buckets[key] = bucket
            return bucket
        }
    }

    /// True when a call for `key` may go ahead now (see ``TokenBucket/admit(now:)``).
    public func admit(_ key: Key) -> Bool {
        guard rate > 0 else { return true }
        return bucket(key).admit()
    }

    /// Whole seconds until a bucket has a token again, at least 1 (`Retry-After`).
    public var retryAfterSeconds: Int { TokenBucket.retryAfterSeconds(rate: rate) }
}
