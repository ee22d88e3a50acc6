import AsyncHTTPClient
import LocalCloud
import MetricsHTTP
import Testing

@Suite struct MetricsTests {
    @Test func metricsListenerCountsRequestsAndFaults() async throws {
        try await TestServer.with({ $0.metricsAddress = ListenAddress(host: "127.0.0.1", port: 0) }) { t in
            let port = try #require(t.server.metricsPort)
            _ = try await t.call(.GET, "/v2/blocks")
            _ = try await t.call(.GET, "/v2/blocks/missing")
            t.server.inject(.error)
            _ = try await t.call(.GET, "/v2/instances")
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
            #expect(response.status == .ok)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"localcloud_requests_total{method="GET",resource="blocks",status="200"} 1"#))
            #expect(text.contains(#"localcloud_requests_total{method="GET",resource="blocks",status="404"} 1"#))
            #expect(text.contains(#"localcloud_faults_injected_total{fault="error"} 1"#))
            // The API itself is not served on the metrics port.
            let api = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/blocks"), timeout: .seconds(5))
            #expect(api.status == .notFound)
        }
    }
}
