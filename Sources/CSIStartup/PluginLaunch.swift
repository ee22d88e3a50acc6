import ArgumentParser
import CSIDriver
import Logging
import MetricsHTTP
import Prometheus
import RPC
import ServiceLifecycle
import Telemetry

/// The start-up csi-controller and csi-node share. ``init(label:endpoint:options:methods:)``
/// bootstraps logging and, with `--metrics-address`, the process's metrics registry (before
/// anything creates a metric) and the per-RPC metrics; it checks the driver name and endpoint.
/// ``serve(_:register:)`` binds the metrics listener and the plugin's socket, then runs both as
/// services under one `ServiceGroup` until SIGTERM or SIGINT: the plugin drains first, the
/// metrics listener stops last.
public struct PluginLaunch<Role: PluginRole> {
    public let identity: DriverIdentity
    public let endpoint: Endpoint
    public let options: PluginOptions<Role>
    /// The process's registry, when `--metrics-address` is given.
    public let registry: PrometheusCollectorRegistry?
    /// `csi_rpc_requests_total{method,code}` and `csi_rpc_duration_seconds{method}`, when
    /// `--metrics-address` is given.
    public let calls: CallMetrics?

    /// `methods` show in `/metrics` (at zero) before their first call.
    public init(endpoint: EndpointOption, options: PluginOptions<Role>, methods: [String] = []) throws {
        options.logging.bootstrap()
        self.options = options
        do {
            identity = try DriverIdentity(name: options.driverName, version: MooringVersion.string)
            self.endpoint = try Endpoint(parsing: endpoint.endpoint)
        } catch {
            throw ValidationError(error.message)
        }
        if options.metricsAddress != nil {
            registry = ProcessMetrics.bootstrap()
            calls = .rpc(prefix: "csi_rpc", methods: methods)
        } else {
            registry = nil
            calls = nil
        }
    }

    /// Serves until SIGTERM/SIGINT, then shuts down gracefully. `configure` adjusts the plugin
    /// server (e.g. self-logging methods) before it starts; `register` adds the services.
    public func serve(
        _ logger: Logger, configure: (inout PluginServer) -> Void = { _ in }, register: (RPCServer) -> Void
    ) async throws {
        var services: [any Service] = []
        if let registry, let text = options.metricsAddress {
            do {
                let metrics = try await MetricsServer.bind(
                    try ListenAddress(parsing: text), registry: registry, logger: logger)
                logger.info("serving metrics", metadata: ["metrics.address": .string("\(metrics.address)")])
                services.append(metrics)
            } catch {
                logger.critical("cannot serve metrics on \(text): \(error)")
                throw ExitCode(1)
            }
        }
        var plugin = PluginServer(endpoint: endpoint, logger: logger)
        if let calls {
            plugin.onCall = { record in calls.observe(record.method, outcome: record.code.description, duration: record.duration) }
        }
        configure(&plugin)
        let server: RPCServer
        do {
            server = try plugin.start(register: register)
        } catch let error as RPCError {
            logger.critical("cannot serve: \(error.message)")
            throw ExitCode(1)
        }
        services.append(PluginService(server: server, grace: plugin.grace, logger: logger))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
