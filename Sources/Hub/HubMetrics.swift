import Metrics
import Prometheus

/// The process's metrics registry, bootstrapped once however many hubs a process starts
/// (tests start many; swift-metrics allows one bootstrap per process).
enum HubMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Connections closed with 4008 because their outbound queue overflowed. Created at
    /// bootstrap, so it reads 0 rather than missing until the first overflow.
    static let slowConsumerCloses: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "switchboard_ws_slow_consumer_closes_total")
    }()

    /// Makes sure the registry is bootstrapped before the first metric is created.
    static func bootstrap() {
        _ = registry
        _ = slowConsumerCloses
    }

    /// The Prometheus text exposition of every metric.
    static func exposition() -> String { registry.emitToString() }
}
