import AsyncHTTPClient
import Foundation
import LocalCloud
import Testing

@Suite struct ProtectionTests {
    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await TestServer.with({ $0.rateLimit = 1; $0.rateBurst = 5 }) { t in
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<12 {
                let r = try await t.call(.GET, "/v2/regions")
                statuses.append(r.status)
                if r.status == 429 { retryAfter.append(r.headers.first(name: "Retry-After") ?? "") }
            }
            // The burst of 5 passes; at 1/s the bucket is empty long before 12 calls.
            #expect(statuses.prefix(5).allSatisfy { $0 == 200 })
            #expect(statuses.contains(429))
            #expect(retryAfter.allSatisfy { Int($0).map { $0 >= 1 } == true })
        }
    }

    @Test func injectedErrorsAndThrottles() async throws {
        try await TestServer.with { t in
            t.server.inject(.error, count: 2)
            t.server.inject(.throttle(retryAfterSeconds: 3))
            #expect(try await t.call(.GET, "/v2/blocks").status == 500)
            #expect(try await t.call(.GET, "/v2/blocks").status == 500)
            let throttled = try await t.call(.GET, "/v2/blocks")
            #expect(throttled.status == 429)
            #expect(throttled.headers.first(name: "Retry-After") == "3")
            #expect(try await t.call(.GET, "/v2/blocks").status == 200)
        }
    }

    @Test func droppedAfterCommitStillCommits() async throws {
        try await TestServer.with { t in
            t.server.inject(.dropAfterCommit)
            await #expect(throws: (any Error).self) {
                _ = try await t.call(.POST, "/v2/instances", body: ["region": "ewr", "plan": "vc2-1c-1gb"])
            }
            let list = try await t.call(.GET, "/v2/instances")
            #expect((list.json["instances"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func randomErrorRateOfOneFailsEveryCall() async throws {
        try await TestServer.with({ $0.faults = FaultSpec(errorRate: 1) }) { t in
            for _ in 0..<3 {
                let r = try await t.call(.GET, "/v2/blocks")
                #expect(r.status == 500)
            }
            t.server.setFaults(FaultSpec())
            let healed = try await t.call(.GET, "/v2/blocks")
            #expect(healed.status == 200)
        }
    }

    @Test func latencyIsAdded() async throws {
        try await TestServer.with({ $0.faults = FaultSpec(latencyMilliseconds: 200) }) { t in
            let start = ContinuousClock.now
            let r = try await t.call(.GET, "/v2/regions")
            #expect(r.status == 200)
            #expect(start.duration(to: .now) >= .milliseconds(200))
        }
    }

    @Test func faultSpecParsing() throws {
        let spec = try FaultSpec(parsing: "error_rate=0.1,throttle_rate=0.05,drop_after_commit_rate=0.03,latency_ms=50")
        #expect(spec == FaultSpec(errorRate: 0.1, throttleRate: 0.05, dropAfterCommitRate: 0.03, latencyMilliseconds: 50))
        #expect(try FaultSpec(parsing: "") == FaultSpec())
        for bad in ["error_rate=2", "error_rate", "bogus=1", "latency_ms=-5", "throttle_rate=x"] {
            #expect(throws: FaultSpecError.self, "\(bad)") { try FaultSpec(parsing: bad) }
        }
    }
}
