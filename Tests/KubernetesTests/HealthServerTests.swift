import AsyncHTTPClient
import Kubernetes
import Metrics
import Synchronization
import Testing

@Suite struct HealthServerTests {
    func fetch(_ port: Int, _ path: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func healthzReflectsChecksAndMetricsRender() async throws {
        let healthy = Mutex(true)
        let metrics = PrometheusMetrics()
        Counter(label: "kubernetes_client_requests_total", dimensions: [("verb", "GET"), ("code", "200")], factory: metrics)
            .increment(by: 3)
        Gauge(label: "workqueue_depth", dimensions: [("name", "service")], factory: metrics).record(7)
        Timer(label: "controller_reconcile_duration_seconds", dimensions: [("controller", "node")], factory: metrics)
            .recordMilliseconds(250)
        let server = try await HealthServer.bind(
            host: "127.0.0.1", port: 0,
            checks: [HealthzCheck(name: "leaderElection") { healthy.withLock { $0 } ? nil : "lease expired" }],
            metrics: metrics, logger: testLogger)
        let run = Task { try await server.run() }
        let (okStatus, okBody) = try await fetch(server.port, "/healthz")
        #expect(okStatus == 200)
        #expect(okBody == "ok")
        healthy.withLock { $0 = false }
        let (badStatus, badBody) = try await fetch(server.port, "/healthz")
        #expect(badStatus == 500)
        #expect(badBody.contains("[-]leaderElection failed: lease expired"))
        let (metricsStatus, text) = try await fetch(server.port, "/metrics")
        #expect(metricsStatus == 200)
        #expect(text.contains("# TYPE kubernetes_client_requests_total counter"))
        #expect(text.contains(#"kubernetes_client_requests_total{code="200",verb="GET"} 3"#))
        #expect(text.contains(#"workqueue_depth{name="service"} 7"#))
        #expect(text.contains(#"controller_reconcile_duration_seconds_sum{controller="node"} 0.25"#))
        #expect(text.contains(#"controller_reconcile_duration_seconds_count{controller="node"} 1"#))
        #expect(try await fetch(server.port, "/nope").0 == 404)
        run.cancel()
        try await run.value
    }

    @Test func leaderElectionHealthCheck() async throws {
        try await withAPIServer { server, client in
            let elector = LeaderElector(
                client: client, configuration: LeaderElectorTests.configuration("a"), logger: testLogger
            ) { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) } }
            let check = HealthzCheck.leaderElection(elector, tolerance: .zero)
            #expect(check.check() == nil)
            let run = Task { try await elector.run() }
            #expect(await eventually { elector.isLeader })
            #expect(check.check() == nil)
            // A leader that has not renewed for longer than the lease duration is unhealthy.
            #expect(!elector.isHealthy(tolerance: .zero, now: .now + .seconds(5)))
            run.cancel()
            try await run.value
        }
    }
}
