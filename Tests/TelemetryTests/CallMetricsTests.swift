import Telemetry
import Testing

@Suite struct CallMetricsTests {
    @Test func histogramsRenderCumulativeBucketsSumAndCount() {
        let registry = PrometheusRegistry()
        let histogram = registry.makeHistogram(label: "op_seconds", dimensions: [("op", "mount")], buckets: [0.1, 1, 10])
        histogram.observe(0.0625)
        histogram.observe(Duration.milliseconds(500))
        histogram.observe(0.5)
        histogram.observe(60)
        // Asked for again: the same histogram.
        registry.makeHistogram(label: "op_seconds", dimensions: [("op", "mount")], buckets: [5]).observe(1)
        let text = registry.render()
        #expect(text.contains("""
            # TYPE op_seconds histogram
            op_seconds_bucket{op="mount",le="0.1"} 1
            op_seconds_bucket{op="mount",le="1"} 4
            op_seconds_bucket{op="mount",le="10"} 4
            op_seconds_bucket{op="mount",le="+Inf"} 5
            op_seconds_sum{op="mount"} 62.0625
            op_seconds_count{op="mount"} 5

            """))
    }

    @Test func rpcCallsAreCountedPerMethodAndCodeWithADurationHistogram() {
        let registry = PrometheusRegistry()
        let metrics = CallMetrics.rpc(registry: registry, prefix: "csi_rpc", methods: ["/csi.v1.Node/NodeGetInfo"])
        // Declared methods show before their first call; no counter exists before one.
        var text = registry.render()
        #expect(text.contains("csi_rpc_duration_seconds_count{method=\"/csi.v1.Node/NodeGetInfo\"} 0\n"))
        #expect(!text.contains("csi_rpc_requests_total"))

        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "OK", duration: .milliseconds(20))
        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "OK", duration: .milliseconds(30))
        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "INVALID_ARGUMENT", duration: .microseconds(50))
        text = registry.render()
        #expect(text.contains("# TYPE csi_rpc_requests_total counter\n"))
        #expect(text.contains("csi_rpc_requests_total{method=\"/csi.v1.Node/NodeStageVolume\",code=\"OK\"} 2\n"))
        #expect(text.contains("csi_rpc_requests_total{method=\"/csi.v1.Node/NodeStageVolume\",code=\"INVALID_ARGUMENT\"} 1\n"))
        #expect(text.contains("csi_rpc_duration_seconds_bucket{method=\"/csi.v1.Node/NodeStageVolume\",le=\"0.001\"} 1\n"))
        #expect(text.contains("csi_rpc_duration_seconds_bucket{method=\"/csi.v1.Node/NodeStageVolume\",le=\"0.025\"} 2\n"))
        #expect(text.contains("csi_rpc_duration_seconds_count{method=\"/csi.v1.Node/NodeStageVolume\"} 3\n"))
        // One TYPE line per metric name, however many label sets.
        #expect(text.components(separatedBy: "# TYPE csi_rpc_duration_seconds ").count == 2)
    }
}
