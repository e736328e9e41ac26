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
        /// The messages whose attempt is in flight, by endpoint and `seq`, with the position
        /// they were read at; they hold the endpoint's slots.
        var inFlight: [String: [Int64: WebhookDuePosition]] = [:]
        var inFlightCount = 0
        /// The messages answered but not yet recorded, likewise: they no longer hold a slot,
        /// but none is started again until its outcome is committed.
        var recording: [String: [Int64: WebhookDuePosition]] = [:]
        /// Where each endpoint's next due read starts: after the last row it returned, started
        /// or not. Forgotten at every tick, so a message due behind it waits at most one poll
        /// interval: an outcome that could not be recorded, a due time stamped before a commit
        /// that others overtook, a replay, the clock stepping back.
        var cursors: [String: WebhookDuePosition] = [:]
        /// The enabled endpoints, refreshed every poll interval.
        var endpoints: [String] = []
        /// Endpoints whose last read came back short: not asked again until the next tick,
        /// so a completion does not query them again.
        var drained: Set<String> = []
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

        /// Whether a message of `endpoint` is in flight or being recorded.
        func isBusy(_ sequence: Int64, of endpoint: String) -> Bool {
            inFlight[endpoint]?[sequence] != nil || recording[endpoint]?[sequence] != nil
        }

        /// The busy messages of `endpoint` read at a position after `cursor` (all of them
        /// when nil): a read after the cursor passes over the others, unless a replay or an
        /// outcome moved them past it; ``due(isTick:)`` never starts those either.
        func busySequences(of endpoint: String, after cursor: WebhookDuePosition?) -> Set<Int64> {
            var busy = Set<Int64>()
            for messages in [inFlight[endpoint], recording[endpoint]] {
                for (sequence, position) in messages ?? [:] where cursor.map({ position > $0 }) ?? true {
                    busy.insert(sequence)
                }
            }
            return busy
        }

        /// Whether ``due(isTick:)`` asks an endpoint with `busy` attempts in flight for more
        /// between ticks: when none is busy, or once half its slots are free, so a backlog is
        /// read in batches rather than one query per finished attempt.
        static func asksBetweenTicks(busy: Int, limit: Int) -> Bool {
            busy == 0 || (limit - busy) * 2 >= limit
        }
    }

    private let store: any WebhookStore
    private let settings: WebhookSettings
    private let logger: Logger
    private let onEndpointDisabled: @Sendable (WebhookEndpointRecord, String) async -> Void
    private let state = Mutex(State())
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
            if isTick {
                state.cursors = [:]
                state.drained = []
            }
            let count = state.endpoints.count
            return (0..<count).map { state.endpoints[(state.rotation + $0) % count] }
        }
        var started: [WebhookDelivery] = []
        let now = WebhookEndpoints.nowMilliseconds()
        for endpoint in order {
            let ask = state.withLock { state -> (room: Int, after: WebhookDuePosition?, busy: Set<Int64>)? in
                let inFlight = state.inFlight[endpoint]?.count ?? 0
                let room = min(
                    settings.maxConcurrentDeliveries - state.inFlightCount, settings.maxConcurrentPerEndpoint - inFlight)
                guard room > 0, !state.drained.contains(endpoint),
                      isTick || State.asksBetweenTicks(busy: inFlight, limit: settings.maxConcurrentPerEndpoint)
                else { return nil }
                let after = state.cursors[endpoint]
                return (room, after, state.busySequences(of: endpoint, after: after))
            }
            guard let ask else { continue }
            let found: [WebhookDelivery]
            do {
                found = try await store.dueWebhookMessages(
                    endpointID: endpoint, nowMilliseconds: now, after: ask.after, limit: ask.room, excludingSequences: ask.busy)
            } catch {
                logger.error("cannot read the webhook outbox")
                return started
            }
            started += state.withLock { state in
                if found.count < ask.room { state.drained.insert(endpoint) }
                if let last = found.last { state.cursors[endpoint] = last.position }
                return found.filter { delivery in
                    // A busy message can be read again if a replay moved it past the cursor.
                    let sequence = delivery.position.sequence
                    guard state.inFlightCount < settings.maxConcurrentDeliveries,
                          state.inFlight[endpoint, default: [:]].count < settings.maxConcurrentPerEndpoint,
                          !state.isBusy(sequence, of: endpoint)
                    else { return false }
                    state.inFlight[endpoint, default: [:]][sequence] = delivery.position
                    state.inFlightCount += 1
                    return true
                }
            }
        }
        return started
    }

    private func deliver(_ delivery: WebhookDelivery, sender: WebhookSender, recorder: AttemptRecorder) async {
        let outcome = await sender.attempt(delivery)
        metrics.record(outcome)
        let endpoint = delivery.endpoint.id, position = delivery.position
        // The slot is free once the endpoint answered: recording (batched, one sync for
        // many) must not hold the endpoint's concurrency. The message is not started again
        // until its outcome is committed, so it is never attempted twice at once.
        let wakes = state.withLock { state in
            let wasFull = state.inFlightCount >= settings.maxConcurrentDeliveries
            if state.inFlight[endpoint]?.removeValue(forKey: position.sequence) != nil { state.inFlightCount -= 1 }
            if state.inFlight[endpoint]?.isEmpty == true { state.inFlight[endpoint] = nil }
            state.recording[endpoint, default: [:]][position.sequence] = position
            if case .disable = outcome.endpoint { state.disabling[delivery.message.id] = delivery.endpoint }
            // The loop is woken only when the freed slot lets `due` start something: other
            // endpoints were waiting for an overall slot, or this one is asked again. Not on
            // each answer: while half an endpoint's slots are busy, `due` would start nothing.
            let busy = state.inFlight[endpoint]?.count ?? 0
            return wasFull || (State.asksBetweenTicks(busy: busy, limit: settings.maxConcurrentPerEndpoint) && !state.drained.contains(endpoint))
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
                state.recording[endpoint]?.removeValue(forKey: outcome.position.sequence)
                if state.recording[endpoint]?.isEmpty == true { state.recording[endpoint] = nil }
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
