import Logging
import Store
import Synchronization

/// Records attempt outcomes in batches: many deliveries finishing together share one
/// transaction, which is what lets a single endpoint take thousands per second.
///
/// A batch lingers a few milliseconds after its first outcome before it is written: a
/// transaction writes every page it touched (the attempts table and its indexes, the due
/// index), so one of two outcomes costs nearly what one of a hundred does. Measured in the
/// webhook drain: ~1 page write less per delivery.
///
/// A delivery frees its slot once the endpoint has answered, but its message is not started
/// again until the outcome is committed (``WebhookDispatcher``), so a message whose success
/// was known is never sent again while its record is pending.
///
/// Handing an outcome over never waits: ``record(_:)`` queues it, and the owner learns the
/// fate of a whole batch at once from `onRecorded`, called on the recorder's loop (or, for
/// an outcome given after ``finish()``, at once by ``record(_:)``). So a delivery ends when
/// its endpoint answers, with no task resumed per outcome afterwards.
final class AttemptRecorder: Sendable {
    /// Told, once per batch, which outcomes were written (`true`, with the endpoints they
    /// disabled) or could not be (`false`: their messages stay due and are attempted again).
    typealias RecordedHandler = @Sendable (
        _ outcomes: [WebhookAttemptOutcome], _ stored: Bool, _ disabledEndpoints: Set<String>
    ) -> Void

    private struct State {
        var waiting: [WebhookAttemptOutcome] = []
        var flusher: CheckedContinuation<Void, Never>?
        var isFinished = false
    }

    private let store: any WebhookStore
    private let logger: Logger
    private let linger: Duration
    private let onRecorded: RecordedHandler
    private let state = Mutex(State())

    /// A recorder writing to `store`; a batch waits `linger` after its first outcome for
    /// others to join it.
    init(store: any WebhookStore, logger: Logger, linger: Duration = .milliseconds(5), onRecorded: @escaping RecordedHandler) {
        self.store = store
        self.logger = logger
        self.linger = linger
        self.onRecorded = onRecorded
    }

    /// Queues an outcome for the next batch (after ``finish()``: reports it at once as not stored).
    func record(_ outcome: WebhookAttemptOutcome) {
        let (accepted, flusher) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.isFinished else { return (false, nil) }
            state.waiting.append(outcome)
            defer { state.flusher = nil }
            return (true, state.flusher)
        }
        if !accepted { onRecorded([outcome], false, []) }
        flusher?.resume()
    }

    /// Flushes until ``finish()``, then flushes what is left.
    func run() async {
        while let batch = await nextBatch() {
            do {
                let disabled = try await store.recordWebhookAttempts(batch)
                onRecorded(batch, true, disabled)
            } catch {
                logger.error("cannot record webhook attempts", metadata: ["sb.count": "\(batch.count)"])
                onRecorded(batch, false, [])
            }
        }
    }

    /// Stops taking outcomes once those already given are flushed.
    func finish() {
        let flusher = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isFinished = true
            defer { state.flusher = nil }
            return state.flusher
        }
        flusher?.resume()
    }

    /// The outcomes given since the last batch, once there is one and the linger is over
    /// (at once when finishing); nil when finished with nothing left.
    private func nextBatch() async -> [WebhookAttemptOutcome]? {
        while true {
            let (hasWaiting, isFinished) = state.withLock { (!$0.waiting.isEmpty, $0.isFinished) }
            if hasWaiting {
                if !isFinished { try? await Task.sleep(for: linger) }
                return state.withLock { state in
                    defer { state.waiting = [] }
                    return state.waiting
                }
            }
            if isFinished { return nil }
            await withCheckedContinuation { flusher in
                let ready = state.withLock { state -> Bool in
                    if !state.waiting.isEmpty || state.isFinished { return true }
                    state.flusher = flusher
                    return false
                }
                if ready { flusher.resume() }
            }
        }
    }
}
