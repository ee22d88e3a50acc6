import CoreMetrics
import Prometheus

/// The process's one metrics registry: swift-prometheus's `PrometheusCollectorRegistry` behind
/// swift-metrics. An executable calls ``bootstrap()`` once, before any library creates a metric,
/// and hands the registry to its `/metrics` server (`MetricsHTTP.MetricsServer`); libraries only
/// use the swift-metrics API. swift-metrics timers become histograms with ``durationBuckets``.
public enum ProcessMetrics {
    /// Bucket bounds for durations of calls and operations on a node or a controller, 1 ms to
    /// 2 min.
    public static let durationBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
    ]

    /// A swift-metrics factory writing into `registry`, timers bucketed by ``durationBuckets``.
    public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets.map { seconds in
            .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        return factory
    }

    /// Makes the process's registry and bootstraps swift-metrics with it. Once per process, from
    /// an executable (swift-metrics refuses a second bootstrap).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(factory(registry: registry))
        return registry
    }
}
