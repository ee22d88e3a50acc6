import CloudAPI
import Testing

@Suite struct RateLimiterTests {
    @Test func bucketHoldsItsRateUnderConcurrency() async throws {
        let bucket = TokenBucket(rate: 20, burst: 5)
        let start = ContinuousClock.now
        let waits = try await withThrowingTaskGroup(of: Duration.self) { group in
            for _ in 0..<25 { group.addTask { try await bucket.acquire() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // The burst goes at once; the other 20 need 20 tokens at 20/s: at least ~1 s in all,
        // however slow the machine (tokens never come faster than the rate).
        #expect(waits.filter { $0 == .zero }.count >= 5)
        #expect(waits.filter { $0 > .zero }.count >= 1)
        #expect(start.duration(to: .now) >= .milliseconds(950))
        // No one is asked to wait longer than the whole backlog takes.
        let longest = try #require(waits.max())
        #expect(longest <= .milliseconds(1001))
    }

    @Test func clientCallsArePacedByTheSharedBucket() async throws {
        let bucket = TokenBucket(rate: 10, burst: 2)
        try await Harness.with(client: { $0.rateLimiter = bucket }) { h in
            let start = ContinuousClock.now
            // All at once, so the bucket must hold some back however fast or slow calls are.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { _ = try await h.client.volumes() } }
                try await group.waitForAll()
            }
            // 2 from the burst, 10 more at 10/s.
            #expect(start.duration(to: .now) >= .milliseconds(950))
            #expect(h.requests("blocks.list") == 12)
            #expect(h.counter("cloudapi_throttles_total", [("source", "client")]) > 0)
        }
    }

    @Test func sharedBucketDefaults() {
        #expect(TokenBucket.shared.rate == 20)
        #expect(TokenBucket.shared.burst == 10)
        let config = VultrClient.Configuration(apiKey: APIKey("k"))
        #expect(config.rateLimiter === TokenBucket.shared)
        #expect(!config.hasRoutesExtension)
    }
}
