import AsyncHTTPClient
import Logging
import MetricsHTTP
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

let testLogger = Logger(label: "metrics-http-test")

@Suite struct MetricsServerTests {
    func fetch(_ port: Int, _ path: String, method: HTTPMethod = .GET) async throws -> (Int, HTTPHeaders, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    @Test func servesMetricsAndHealthzWithInjectedChecks() async throws {
        let healthy = Mutex(true)
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        factory.makeCounter(label: "kubernetes_client_requests_total", dimensions: [("verb", "GET"), ("code", "200")])
            .increment(by: 3)
        let server = try await MetricsServer.bind(
            ListenAddress(host: "127.0.0.1", port: 0), registry: registry,
            checks: [HealthzCheck(name: "leaderElection") { healthy.withLock { $0 } ? nil : "lease expired" }],
            logger: testLogger)
        #expect(server.port != 0)
        let run = Task { try await server.run() }

        let (okStatus, _, okBody) = try await fetch(server.port, "/healthz")
        #expect(okStatus == 200 && okBody == "ok\n")
        #expect(try await fetch(server.port, "/readyz").0 == 200)
        healthy.withLock { $0 = false }
        let (badStatus, _, badBody) = try await fetch(server.port, "/healthz")
        #expect(badStatus == 500)
        #expect(badBody.contains("[-]leaderElection failed: lease expired"))
        #expect(badBody.contains("healthz check failed"))

        let (metricsStatus, headers, text) = try await fetch(server.port, "/metrics?name=x")
        #expect(metricsStatus == 200)
        #expect(headers["Content-Type"].first?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(text.contains("# TYPE kubernetes_client_requests_total counter\n"))
        #expect(text.contains(#"kubernetes_client_requests_total{verb="GET",code="200"} 3"#))

        // HEAD answers the headers alone; other methods are refused; other paths are not there.
        let (headStatus, headHeaders, headBody) = try await fetch(server.port, "/metrics", method: .HEAD)
        #expect(headStatus == 200 && headBody.isEmpty)
        #expect(headHeaders["Content-Length"].first.flatMap { Int($0) } == text.utf8.count)
        let (postStatus, postHeaders, _) = try await fetch(server.port, "/metrics", method: .POST)
        #expect(postStatus == 405)
        #expect(postHeaders["Allow"].first == "GET, HEAD")
        #expect(try await fetch(server.port, "/v2/blocks").0 == 404)
        run.cancel()
        try await run.value
    }

    @Test func stopsOnGracefulShutdownOfItsServiceGroup() async throws {
        let server = try await MetricsServer.bind(
            ListenAddress(host: "127.0.0.1", port: 0), registry: PrometheusCollectorRegistry(), logger: testLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: testLogger))
        let run = Task { try await group.run() }
        // A keep-alive connection stays open in HTTPClient's pool: shutdown must not wait for it.
        #expect(try await fetch(server.port, "/healthz").0 == 200)
        await group.triggerGracefulShutdown()
        try await run.value
        // The port is free again.
        let again = try await MetricsServer.bind(
            ListenAddress(host: "127.0.0.1", port: server.port), registry: PrometheusCollectorRegistry(), logger: testLogger)
        again.close()
        try await again.run()
    }

    @Test func bindingATakenPortFails() async throws {
        let first = try await MetricsServer.bind(
            ListenAddress(host: "127.0.0.1", port: 0), registry: PrometheusCollectorRegistry(), logger: testLogger)
        await #expect(throws: (any Error).self) {
            _ = try await MetricsServer.bind(
                ListenAddress(host: "127.0.0.1", port: first.port), registry: PrometheusCollectorRegistry(),
                logger: testLogger)
        }
        first.close()
        try await first.run()
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesHostAndPort() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(try ListenAddress(parsing: "[::1]:0") == ListenAddress(host: "::1", port: 0))
        #expect(ListenAddress(host: "::1", port: 9).description == "[::1]:9")
        for bad in ["127.0.0.1", ":80", "host:port", "h:70000", "h:-1", ""] {
            #expect(throws: ListenAddressError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
        #expect(throws: ListenAddressError.self) { try ListenAddress(parsing: "h:70000", emptyHost: "0.0.0.0") }
    }

    @Test func anEmptyHostMeansWhatTheCallerSays() throws {
        #expect(try ListenAddress(parsing: ":10258", emptyHost: "0.0.0.0") == ListenAddress(host: "0.0.0.0", port: 10258))
        #expect(try ListenAddress(parsing: "[]:1", emptyHost: "0.0.0.0") == ListenAddress(host: "0.0.0.0", port: 1))
    }

    @Test func theErrorSaysWhatIsExpected() {
        do {
            _ = try ListenAddress(parsing: "nowhere")
            Issue.record("parsed")
        } catch {
            #expect(error.description == "expected HOST:PORT with a port from 0 to 65535, got 'nowhere'")
        }
    }
}
