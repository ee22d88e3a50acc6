import Kubernetes
import Testing

// The bucket itself is tested in RateLimitingTests; these are the client's use of it.

@Suite struct ClientRateLimitTests {
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
