import CoreMetrics
import Prometheus
import Telemetry
import Testing

/// The samples of a Prometheus text page by series (`name{labels}`), and its TYPE lines.
func samples(_ registry: PrometheusCollectorRegistry) -> (values: [String: Double], types: [String: String]) {
    var values: [String: Double] = [:]
    var types: [String: String] = [:]
    for line in registry.emitToString().split(separator: "\n") {
        if line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            types[String(parts[2])] = String(parts[3])
        } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
            values[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
    }
    return (values, types)
}

@Suite struct CallMetricsTests {
    @Test func timersAreHistogramsWithTheDurationBuckets() {
        let registry = PrometheusCollectorRegistry()
        let factory = ProcessMetrics.factory(registry: registry)
        let timer = CoreMetrics.Timer(label: "op_seconds", dimensions: [("op", "mount")], factory: factory)
        timer.recordMilliseconds(62.5)
        timer.recordMilliseconds(500)
        timer.recordMilliseconds(500)
        timer.recordSeconds(60)
        // Asked for again: the same series.
        CoreMetrics.Timer(label: "op_seconds", dimensions: [("op", "mount")], factory: factory).recordSeconds(1)
        let (values, types) = samples(registry)
        #expect(types["op_seconds"] == "histogram")
        #expect(values[#"op_seconds_bucket{op="mount",le="0.1"}"#] == 1)
        #expect(values[#"op_seconds_bucket{op="mount",le="1.0"}"#] == 4)
        #expect(values[#"op_seconds_bucket{op="mount",le="60.0"}"#] == 5)
        #expect(values[#"op_seconds_bucket{op="mount",le="+Inf"}"#] == 5)
        #expect(values[#"op_seconds_sum{op="mount"}"#] == 62.0625)
        #expect(values[#"op_seconds_count{op="mount"}"#] == 5)
        // Buckets are cumulative and run 1 ms to 2 min.
        let buckets = values.filter { $0.key.hasPrefix("op_seconds_bucket{") }
        #expect(buckets.count == ProcessMetrics.durationBuckets.count + 1)
        #expect(values[#"op_seconds_bucket{op="mount",le="0.001"}"#] == 0)
        #expect(values[#"op_seconds_bucket{op="mount",le="120.0"}"#] == 5)
    }

    @Test func rpcCallsAreCountedPerMethodAndCodeWithADurationHistogram() {
        let registry = PrometheusCollectorRegistry()
        let metrics = CallMetrics.rpc(
            prefix: "csi_rpc", methods: ["/csi.v1.Node/NodeGetInfo"], factory: ProcessMetrics.factory(registry: registry))
        // Declared methods show before their first call; no counter exists before one.
        var (values, types) = samples(registry)
        #expect(values[#"csi_rpc_duration_seconds_count{method="/csi.v1.Node/NodeGetInfo"}"#] == 0)
        #expect(types["csi_rpc_requests_total"] == nil)

        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "OK", duration: .milliseconds(20))
        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "OK", duration: .milliseconds(30))
        metrics.observe("/csi.v1.Node/NodeStageVolume", outcome: "INVALID_ARGUMENT", duration: .microseconds(50))
        (values, types) = samples(registry)
        #expect(types["csi_rpc_requests_total"] == "counter")
        #expect(types["csi_rpc_duration_seconds"] == "histogram")
        // Labels in the order the names are given: key, then outcome.
        #expect(values[#"csi_rpc_requests_total{method="/csi.v1.Node/NodeStageVolume",code="OK"}"#] == 2)
        #expect(values[#"csi_rpc_requests_total{method="/csi.v1.Node/NodeStageVolume",code="INVALID_ARGUMENT"}"#] == 1)
        #expect(values[#"csi_rpc_duration_seconds_bucket{method="/csi.v1.Node/NodeStageVolume",le="0.001"}"#] == 1)
        #expect(values[#"csi_rpc_duration_seconds_bucket{method="/csi.v1.Node/NodeStageVolume",le="0.025"}"#] == 2)
        #expect(values[#"csi_rpc_duration_seconds_count{method="/csi.v1.Node/NodeStageVolume"}"#] == 3)
        // One TYPE line per metric name, however many label sets.
        #expect(registry.emitToString().components(separatedBy: "# TYPE csi_rpc_duration_seconds ").count == 2)
    }
}
