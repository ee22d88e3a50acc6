import Logging
import MetricsHTTP
import RPC
import Telemetry

/// csi-node's `--metrics-address` figures, served at `/metrics` with `/healthz` beside them:
/// per-RPC counts by status code and latency histograms (`csi_rpc_requests_total{method,code}`,
/// `csi_rpc_duration_seconds{method}` — stage, publish, expand and the rest), and the changes
/// the node service makes to the node (`csi_node_operations_total{operation,result}`,
/// `csi_node_operation_duration_seconds{operation}` for mount, bind_mount, unmount, format,
/// grow). None of it exists unless started.
public struct NodeMetrics: Sendable {
    /// The Identity and Node methods, shown (at zero) before their first call.
    public static let methods = [
        "/csi.v1.Identity/GetPluginInfo", "/csi.v1.Identity/GetPluginCapabilities", "/csi.v1.Identity/Probe",
        "/csi.v1.Node/NodeStageVolume", "/csi.v1.Node/NodeUnstageVolume", "/csi.v1.Node/NodePublishVolume",
        "/csi.v1.Node/NodeUnpublishVolume", "/csi.v1.Node/NodeExpandVolume", "/csi.v1.Node/NodeGetVolumeStats",
        "/csi.v1.Node/NodeGetCapabilities", "/csi.v1.Node/NodeGetInfo",
    ]

    public let server: MetricsServer
    private let calls: CallMetrics
    private let operations: CallMetrics

    /// Whether `address` is `HOST:PORT`.
    public static func isValid(address: String) -> Bool {
        MetricsServer.parse(address: address) != nil
    }

    /// Starts serving on `address` (`HOST:PORT`, port 0 picks one); throws when it cannot bind.
    public static func start(address: String, logger: Logger) async throws -> NodeMetrics {
        guard let (host, port) = MetricsServer.parse(address: address) else {
            throw DriverError.invalidArgument("metrics address must be HOST:PORT, got \"\(address)\"")
        }
        let registry = PrometheusRegistry()
        let server = try await MetricsServer.start(host: host, port: port, registry: registry)
        logger.info("serving metrics", metadata: ["metrics.address": .string("\(host):\(server.port)")])
        return NodeMetrics(
            server: server,
            calls: .rpc(registry: registry, prefix: "csi_rpc", methods: methods),
            operations: CallMetrics(
                registry: registry, total: "csi_node_operations_total", duration: "csi_node_operation_duration_seconds",
                key: "operation", outcome: "result", names: MeteredMounter.operations))
    }

    /// For ``PluginServer/onCall``.
    public func observe(_ record: CallRecord) {
        calls.observe(record.method, outcome: record.code.description, duration: record.duration)
    }

    /// `mounter`, reporting its changes to the node here.
    public func metered(_ mounter: any Mounter) -> any Mounter {
        let operations = self.operations
        return MeteredMounter(mounter) { operation, failed, duration in
            operations.observe(operation, outcome: failed ? "error" : "ok", duration: duration)
        }
    }
}
