import CoreMetrics
import Telemetry
import Testing

@Suite struct PrometheusRegistryTests {
    @Test func rendersCountersGaugesAndTimersInTheTextFormat() {
        let registry = PrometheusRegistry()
        registry.makeCounter(label: "csi_rpc_requests_total", dimensions: [("method", "/csi.v1.Controller/CreateVolume"), ("code", "OK")])
            .increment(by: 2)
        // The same label and dimensions are the same counter.
        registry.makeCounter(label: "csi_rpc_requests_total", dimensions: [("method", "/csi.v1.Controller/CreateVolume"), ("code", "OK")])
            .increment(by: 1)
        registry.makeRecorder(label: "in.flight", dimensions: [], aggregate: false).record(Int64(4))
        let timer = registry.makeTimer(label: "csi_rpc_duration_seconds", dimensions: [("method", "m\"x")])
        timer.recordNanoseconds(1_500_000_000)
        timer.recordNanoseconds(500_000_000)
        let text = registry.render()
        #expect(text.contains("# TYPE csi_rpc_requests_total counter\n"))
        #expect(text.contains("csi_rpc_requests_total{method=\"/csi.v1.Controller/CreateVolume\",code=\"OK\"} 3\n"))
        #expect(text.contains("# TYPE in_flight gauge\nin_flight 4\n"))
        #expect(text.contains("csi_rpc_duration_seconds_count{method=\"m\\\"x\"} 2\n"))
        #expect(text.contains("csi_rpc_duration_seconds_sum{method=\"m\\\"x\"} 2\n"))
    }
}
