import Metrics
import Store

/// The webhook metrics: deliveries by result, attempt latency, outbox depth and the age of
/// the oldest pending message. Made once per dispatcher, not per attempt.
struct WebhookMetrics: Sendable {
    private let delivered = Counter(label: "switchboard_webhook_deliveries_total", dimensions: [("result", "delivered")])
    private let retried = Counter(label: "switchboard_webhook_deliveries_total", dimensions: [("result", "retry")])
    private let failed = Counter(label: "switchboard_webhook_deliveries_total", dimensions: [("result", "failed")])
    private let latency = Metrics.Timer(label: "switchboard_webhook_attempt_duration_seconds")
    private let depth = Gauge(label: "switchboard_webhook_outbox_pending")
    private let oldest = Gauge(label: "switchboard_webhook_oldest_pending_seconds")

    func record(_ outcome: WebhookAttemptOutcome) {
        latency.recordMilliseconds(outcome.attempt.durationMilliseconds)
        switch outcome.next {
        case .delivered: delivered.increment()
        case .retry: retried.increment()
        case .failed: failed.increment()
        }
    }

    func outbox(pending: Int, oldestAgeMilliseconds: Int64) {
        depth.record(pending)
        oldest.record(Double(oldestAgeMilliseconds) / 1000)
    }
}
