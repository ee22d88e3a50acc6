import Kubernetes
import Testing

/// What cloud-controller-manager's `/healthz` leader-election check asks (the server itself and
/// the check's wiring are MetricsHTTP's and the executable's; see MetricsHTTPTests).
@Suite struct LeaderElectorHealthTests {
    @Test func leaderElectionHealth() async throws {
        try await withAPIServer { server, client in
            let elector = LeaderElector(
                client: client, configuration: LeaderElectorTests.configuration("a"), logger: testLogger
            ) { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) } }
            #expect(elector.isHealthy(tolerance: .zero))
            let run = Task { try await elector.run() }
            #expect(await eventually { elector.isLeader })
            #expect(elector.isHealthy(tolerance: .zero))
            // A leader that has not renewed for longer than the lease duration is unhealthy.
            #expect(!elector.isHealthy(tolerance: .zero, now: .now + .seconds(5)))
            run.cancel()
            try await run.value
        }
    }
}
