import Kubernetes
import Testing

@Suite struct APIRateLimiterTests {
    @Test func burstThenSteadyRate() {
        let bucket = APIRateLimiter(qps: 10, burst: 3)
        let start = ContinuousClock.now
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

    @Test func defaultsAreTwentyAndThirty() {
        let configuration = ClientConfiguration(server: .init(string: "https://127.0.0.1:6443")!)
        #expect(configuration.qps == 20)
        #expect(configuration.burst == 30)
    }

    @Test func clientWaitsForTokens() async throws {
        try await withAPIServer(qps: 5, burst: 1) { server, client in
            let started = ContinuousClock.now
            for _ in 0..<4 { _ = try await client.list(Node.self) }
            // 1 immediately, then 3 more at 5/s: at least ~600 ms.
            #expect(ContinuousClock.now - started >= .milliseconds(550))
        }
    }
}

extension Duration {
    var nanosecondsApprox: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
