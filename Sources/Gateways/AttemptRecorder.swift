import Logging
import Store
import Synchronization

/// Records attempt outcomes in batches: many deliveries finishing together share one
/// transaction (one sync), which is what lets a single endpoint take thousands per second.
///
/// A delivery waits until its outcome is committed before it frees its slot, so the next
/// poll never sees a message as still due once its success was known.
final class AttemptRecorder: Sendable {
    private typealias Waiter = (outcome: WebhookAttemptOutcome, done: CheckedContinuation<Bool, Never>)

    private struct State {
        var waiting: [Waiter] = []
        var flusher: CheckedContinuation<Void, Never>?
        var isFinished = false
    }

    private let store: any WebhookStore
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any WebhookStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Records an outcome; returns false when it could not be stored (the message then stays
    /// due and is attempted again).
    func record(_ outcome: WebhookAttemptOutcome) async -> Bool {
        await withCheckedContinuation { done in
            let (accepted, flusher) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.isFinished else { return (false, nil) }
                state.waiting.append((outcome, done))
                defer { state.flusher = nil }
                return (true, state.flusher)
            }
            if !accepted { done.resume(returning: false) }
            flusher?.resume()
        }
    }

    /// Flushes until ``finish()``, then flushes what is left.
    func run() async {
        while true {
            let batch = await nextBatch()
            guard let batch else { return }
            let stored: Bool
            do {
                try await store.recordWebhookAttempts(batch.map(\.outcome))
                stored = true
            } catch {
                logger.error("cannot record webhook attempts", metadata: ["sb.count": "\(batch.count)"])
                stored = false
            }
            for waiter in batch { waiter.done.resume(returning: stored) }
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

    private func nextBatch() async -> [Waiter]? {
        while true {
            let (batch, isFinished) = state.withLock { state in
                defer { state.waiting = [] }
                return (state.waiting, state.isFinished)
            }
            if !batch.isEmpty { return batch }
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
