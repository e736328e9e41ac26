import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Store
import Synchronization

/// Delivers the webhook outbox: polls for due messages, runs attempts with bounded
/// concurrency (overall and per endpoint, so a slow or dead endpoint never delays the
/// others), records every attempt, and retries on the stored schedule.
///
/// Due times live in the store, so retries continue after a restart. A message whose
/// attempt was in flight at a crash is attempted again: receivers deduplicate by
/// `webhook-id`. Per-endpoint order is not promised.
public final class WebhookDispatcher: Service, Sendable {
    private struct State {
        var inFlight: Set<String> = []
        var perEndpoint: [String: Int] = [:]
        var isStopping = false
    }

    private let store: any WebhookStore
    private let endpoints: WebhookEndpoints
    private let settings: WebhookSettings
    private let logger: Logger
    private let onEndpointDisabled: @Sendable (WebhookEndpointRecord, String) async -> Void
    private let state = Mutex(State())
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let metrics = WebhookMetrics()

    /// How often the outbox is polled when nothing else wakes the dispatcher.
    static let pollInterval = Duration.milliseconds(100)

    /// Creates a dispatcher; `onEndpointDisabled` is told when the hub disables an endpoint
    /// (410, or failing for too long) and why.
    public init(
        store: any WebhookStore, endpoints: WebhookEndpoints, settings: WebhookSettings, logger: Logger,
        onEndpointDisabled: @escaping @Sendable (WebhookEndpointRecord, String) async -> Void
    ) {
        self.store = store
        self.endpoints = endpoints
        self.settings = settings
        self.logger = logger
        self.onEndpointDisabled = onEndpointDisabled
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs until graceful shutdown; attempts in flight then finish and are recorded.
    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: TimeAmount(settings.timeout), read: TimeAmount(settings.timeout))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxConcurrentPerEndpoint)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let sender = WebhookSender(client: client, endpoints: endpoints, settings: settings)
        let recorder = AttemptRecorder(store: store, logger: logger)
        let ticker = Task { [wake] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.pollInterval)
                wake.yield()
            }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                await withDiscardingTaskGroup { deliveries in
                    var housekeeping = ContinuousClock.now
                    for await _ in wakeUps {
                        if state.withLock({ $0.isStopping }) { break }
                        for delivery in await due() {
                            deliveries.addTask { await self.deliver(delivery, sender: sender, recorder: recorder) }
                        }
                        if ContinuousClock.now >= housekeeping {
                            housekeeping = ContinuousClock.now + .seconds(1)
                            await keepHouse()
                        }
                    }
                }
                recorder.finish()
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.isStopping = true }
            self.wake.yield()
        }
        ticker.cancel()
        try? await client.shutdown()
    }

    /// Due messages that fit the free slots, now counted as in flight.
    private func due() async -> [WebhookDelivery] {
        let (free, inFlight, busy) = state.withLock { state in
            (settings.maxConcurrentDeliveries - state.inFlight.count, state.inFlight,
             Set(state.perEndpoint.filter { $0.value >= settings.maxConcurrentPerEndpoint }.keys))
        }
        guard free > 0 else { return [] }
        let candidates: [WebhookDelivery]
        do {
            candidates = try await store.dueWebhookMessages(
                nowMilliseconds: WebhookEndpoints.nowMilliseconds(), limit: free,
                excludingMessages: inFlight, excludingEndpoints: busy)
        } catch {
            logger.error("cannot read the webhook outbox")
            return []
        }
        return state.withLock { state in
            candidates.filter { delivery in
                let endpoint = delivery.endpoint.id
                guard state.inFlight.count < settings.maxConcurrentDeliveries,
                      state.perEndpoint[endpoint, default: 0] < settings.maxConcurrentPerEndpoint,
                      state.inFlight.insert(delivery.message.id).inserted
                else { return false }
                state.perEndpoint[endpoint, default: 0] += 1
                return true
            }
        }
    }

    private func deliver(_ delivery: WebhookDelivery, sender: WebhookSender, recorder: AttemptRecorder) async {
        let outcome = await sender.attempt(delivery)
        metrics.record(outcome)
        let recorded = await recorder.record(outcome)
        state.withLock { state in
            state.inFlight.remove(delivery.message.id)
            state.perEndpoint[delivery.endpoint.id, default: 1] -= 1
            if state.perEndpoint[delivery.endpoint.id] == 0 { state.perEndpoint[delivery.endpoint.id] = nil }
        }
        wake.yield()
        if recorded, case .disable(let reason) = outcome.endpoint {
            logger.warning("webhook endpoint disabled", metadata: ["sb.endpoint": "\(delivery.endpoint.id)", "sb.reason": "\(reason)"])
            await onEndpointDisabled(delivery.endpoint, reason)
        }
    }

    /// Once a second: outbox gauges, and deleting finished messages past retention.
    private func keepHouse() async {
        let now = WebhookEndpoints.nowMilliseconds()
        do {
            let depth = try await store.webhookOutboxDepth()
            metrics.outbox(pending: depth.pending, oldestAgeMilliseconds: depth.oldestCreatedMilliseconds.map { now - $0 } ?? 0)
            _ = try await store.expireWebhookMessages(beforeMilliseconds: now - settings.retention.milliseconds)
        } catch {
            logger.error("webhook outbox housekeeping failed")
        }
    }
}
