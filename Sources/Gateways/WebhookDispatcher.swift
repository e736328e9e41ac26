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
        /// Which messages are busy, the endpoints' free slots and where their reads start.
        var slots: DeliverySlots
        /// The enabled endpoints, refreshed every poll interval.
        var endpoints: [String] = []
        /// Where the next round starts in `endpoints`, so slots are shared out fairly.
        var rotation = 0
        /// Set by the poll timer: the next round refreshes the endpoints and asks each one with
        /// room, however busy.
        var isTickDue = true
        /// The endpoint (as fetched) of each answer that disables it, by message id, until
        /// its outcome is recorded.
        var disabling: [String: WebhookEndpointRecord] = [:]
        /// Endpoints disabled by recorded outcomes, with why, not yet announced.
        var disabled: [(endpoint: WebhookEndpointRecord, reason: String)] = []
        var isStopping = false
    }

    private let store: any WebhookStore
    private let settings: WebhookSettings
    private let logger: Logger
    private let onEndpointDisabled: @Sendable (WebhookEndpointRecord, String) async -> Void
    private let state: Mutex<State>
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let metrics = WebhookMetrics()
    private let targets: DeliveryTargets

    /// How often the outbox is polled when nothing else wakes the dispatcher.
    static let pollInterval = Duration.milliseconds(100)

    /// Creates a dispatcher; `onEndpointDisabled` is told when the hub disables an endpoint
    /// (410, or failing for too long) and why.
    public init(
        store: any WebhookStore, endpoints: WebhookEndpoints, settings: WebhookSettings, logger: Logger,
        onEndpointDisabled: @escaping @Sendable (WebhookEndpointRecord, String) async -> Void
    ) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.onEndpointDisabled = onEndpointDisabled
        targets = DeliveryTargets(endpoints: endpoints)
        state = Mutex(State(slots: DeliverySlots(
            maxConcurrent: settings.maxConcurrentDeliveries, maxPerEndpoint: settings.maxConcurrentPerEndpoint)))
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs until graceful shutdown; attempts in flight then finish and are recorded.
    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: TimeAmount(settings.timeout), read: TimeAmount(settings.timeout))
        // Endpoints are bounded by their own slots; several may share a host, so the pool
        // must not make them share a smaller per-host limit (a slow one would hold it all).
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxConcurrentDeliveries)
        // A refused connection is a failed attempt, retried on our schedule; the client's own
        // retries would hold the slot until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        // The hub records no spans; without this each attempt opens a no-op span and sets its attributes.
        configuration.tracing.tracer = nil
        // One write per request instead of three (head, body and end are flushed separately).
        configuration.http1_1ConnectionDebugInitializer = FlushCoalescingHandler.install(on:)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let sender = WebhookSender(client: client, targets: targets, settings: settings)
        let recorder = AttemptRecorder(store: store, logger: logger) { self.recorded($0, disabledEndpoints: $2) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.pollInterval)
                self.state.withLock { $0.isTickDue = true }
                self.wake.yield()
            }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                await withDiscardingTaskGroup { deliveries in
                    var housekeeping = ContinuousClock.now
                    for await _ in wakeUps {
                        if state.withLock({ $0.isStopping }) { break }
                        let isTick = state.withLock { state in
                            defer { state.isTickDue = false }
                            return state.isTickDue
                        }
                        if isTick {
                            await refreshEndpoints()
                        }
                        for delivery in await due(isTick: isTick) {
                            deliveries.addTask { await self.deliver(delivery, sender: sender, recorder: recorder) }
                        }
                        if ContinuousClock.now >= housekeeping {
                            housekeeping = ContinuousClock.now + .seconds(1)
                            await keepHouse()
                        }
                        if state.withLock({ !$0.disabled.isEmpty }) {
                            // Off the loop: announcing publishes an event, a commit of its own.
                            deliveries.addTask { await self.announceDisabled() }
                        }
                    }
                }
                recorder.finish()
            }
            await announceDisabled()
        } onGracefulShutdown: {
            self.state.withLock { $0.isStopping = true }
            self.wake.yield()
        }
        ticker.cancel()
        try? await client.shutdown()
    }

    /// Reloads the enabled endpoints and drops the delivery targets of the others.
    private func refreshEndpoints() async {
        do {
            let enabled = try await store.webhookEndpoints().filter(\.enabled).map(\.id)
            targets.keepOnly(Set(enabled))
            state.withLock { $0.endpoints = enabled }
        } catch {
            logger.error("cannot read the webhook endpoints")
        }
    }

    /// Due messages that fit the free slots, now counted as in flight. Endpoints are asked
    /// in turn (the first one rotates each round, so slots are shared out fairly), each for
    /// at most its room, so one endpoint's backlog never fills the slots of the others and no
    /// query reads more than the rows it may start; room an endpoint leaves unused goes to
    /// the next. A busy endpoint is asked again only once half its slots are free (or on the
    /// next tick). Between ticks an endpoint's read goes on after the last message it returned,
    /// so the messages in flight ahead of it are neither read nor excluded one by one.
    private func due(isTick: Bool) async -> [WebhookDelivery] {
        let order = state.withLock { state in
            defer { state.rotation += 1 }
            if isTick { state.slots.tick() }
            let count = state.endpoints.count
            return (0..<count).map { state.endpoints[(state.rotation + $0) % count] }
        }
        var started: [WebhookDelivery] = []
        let now = WebhookEndpoints.nowMilliseconds()
        for endpoint in order {
            guard let ask = state.withLock({ $0.slots.ask(endpoint, isTick: isTick) }) else { continue }
            let found: [WebhookDelivery]
            do {
                found = try await store.dueWebhookMessages(
                    endpointID: endpoint, nowMilliseconds: now, after: ask.after, limit: ask.room, excludingSequences: ask.excluding)
            } catch {
                logger.error("cannot read the webhook outbox")
                return started
            }
            started += state.withLock { $0.slots.start(found, of: endpoint, asked: ask) }
        }
        return started
    }

    private func deliver(_ delivery: WebhookDelivery, sender: WebhookSender, recorder: AttemptRecorder) async {
        let outcome = await sender.attempt(delivery)
        metrics.record(outcome)
        // The slot is free once the endpoint answered: recording (batched, one sync for
        // many) must not hold the endpoint's concurrency. The message is not started again
        // until its outcome is committed, so it is never attempted twice at once. The loop
        // is woken only when the freed slot lets `due` start something, not on each answer.
        let wakes = state.withLock { state in
            if case .disable = outcome.endpoint { state.disabling[delivery.message.id] = delivery.endpoint }
            return state.slots.answered(delivery.position, of: delivery.endpoint.id)
        }
        if wakes { wake.yield() }
        recorder.record(outcome)
    }

    /// A batch of outcomes was written (or could not be, and its messages are due again):
    /// they may be started again, and the loop is woken to announce the endpoints the store
    /// disabled for them (not one deleted or already disabled meanwhile).
    private func recorded(_ outcomes: [WebhookAttemptOutcome], disabledEndpoints: Set<String>) {
        let announce = state.withLock { state in
            for outcome in outcomes {
                let endpoint = outcome.attempt.endpointID
                state.slots.recorded(outcome.position, of: endpoint)
                let record = state.disabling.removeValue(forKey: outcome.attempt.messageID)
                if disabledEndpoints.contains(endpoint), case .disable(let reason) = outcome.endpoint, let record,
                   !state.disabled.contains(where: { $0.endpoint.id == endpoint }) {
                    state.disabled.append((record, reason))
                }
            }
            return !state.disabled.isEmpty
        }
        if announce { wake.yield() }
    }

    /// Tells `onEndpointDisabled` of the endpoints disabled since the last call.
    private func announceDisabled() async {
        let disabled = state.withLock { state in
            defer { state.disabled = [] }
            return state.disabled
        }
        for (endpoint, reason) in disabled {
            logger.warning("webhook endpoint disabled", metadata: ["sb.endpoint": "\(endpoint.id)", "sb.reason": "\(reason)"])
            await onEndpointDisabled(endpoint, reason)
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
