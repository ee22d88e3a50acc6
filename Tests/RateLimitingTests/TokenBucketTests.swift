import RateLimiting
import Testing

@Suite struct TokenBucketTests {
    @Test func reserveLendsAgainstTheFutureInArrivalOrder() {
        let start = ContinuousClock.now
        let bucket = TokenBucket(rate: 10, burst: 3, now: start)
        #expect(bucket.reserve(now: start) == .zero)
        #expect(bucket.reserve(now: start) == .zero)
        #expect(bucket.reserve(now: start) == .zero)
        // The fourth request at the same instant waits one token's worth (100 ms), the fifth two.
        #expect(abs((bucket.reserve(now: start) - .milliseconds(100)).nanosecondsApprox) < 1_000_000)
        #expect(abs((bucket.reserve(now: start) - .milliseconds(200)).nanosecondsApprox) < 1_000_000)
        // After a long idle period the bucket refills only up to the burst.
        let later = start + .seconds(10)
        for _ in 0..<3 { #expect(bucket.reserve(now: later) == .zero) }
        #expect(bucket.reserve(now: later) > .zero)
    }

    @Test func admitTurnsTheExcessAwayWithoutOwing() {
        let start = ContinuousClock.now
        let bucket = TokenBucket(rate: 2, burst: 3, now: start)
        #expect((0..<5).map { _ in bucket.admit(now: start) } == [true, true, true, false, false])
        // Refused calls took nothing: half a second later exactly one token is back.
        let later = start + .milliseconds(500)
        #expect(bucket.admit(now: later))
        #expect(!bucket.admit(now: later))
        #expect(bucket.retryAfterSeconds == 1)
        #expect(TokenBucket(rate: 0.25, burst: 1).retryAfterSeconds == 4)
    }

    @Test func anEarlierInstantAddsNothing() {
        let start = ContinuousClock.now
        let bucket = TokenBucket(rate: 10, burst: 1, now: start)
        #expect(bucket.admit(now: start))
        #expect(!bucket.admit(now: start - .seconds(5)))
        #expect(!bucket.admit(now: start))
    }

    @Test func aZeroRateIsNoLimit() {
        let bucket = TokenBucket(rate: 0, burst: 1)
        for _ in 0..<1000 {
            #expect(bucket.admit())
            #expect(bucket.reserve() == .zero)
        }
    }

    @Test func keyedBucketsAreIndependent() {
        let buckets = KeyedTokenBuckets<String>(rate: 1, burst: 2)
        #expect(buckets.admit("a") && buckets.admit("a"))
        #expect(!buckets.admit("a"))
        #expect(buckets.admit("b"))
        #expect(buckets.bucket("a") === buckets.bucket("a"))
        #expect(buckets.retryAfterSeconds == 1)
    }
}

extension Duration {
    var nanosecondsApprox: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
