import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The single writer of topic events: it gathers concurrent appends into batches and
/// commits each batch in one transaction (group commit), so durability costs one sync
/// per batch rather than one per event.
///
/// Concurrency model: callers enqueue under a mutex and suspend; ``run()`` takes whatever
/// is waiting, commits it, calls `onCommit` with the outcomes in commit order, then
/// resumes the callers. Because `onCommit` runs on this one loop, events reach fan-out in
/// exactly the order their offsets were given out.
///
/// - Important: `onCommit` runs on the commit loop; it must not block or await.
public final class GroupCommitter: Service, Sendable {
    /// What happens after each committed batch, before the appenders are resumed.
    public typealias CommitHandler = @Sendable ([AppendOutcome]) -> Void

    /// The handler in a struct: a closure stored directly in a `Mutex` is re-wrapped in a
    /// reabstraction thunk on every read, so each commit got slower than the last.
    private struct Handler: Sendable {
        let call: CommitHandler
    }

    private struct Waiting {
        var request: AppendRequest
        var enqueued: ContinuousClock.Instant
        var continuation: CheckedContinuation<AppendOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var wakeUp: CheckedContinuation<Void, Never>?
        var isClosed = false
    }

    private let store: any EventStore
    private let maxBatch: Int
    private let maxWaiting: Int
    private let onCommit: Mutex<Handler?>
    private let state = Mutex(State())
    private let logger: Logger
    private let commitLatency = Timer(label: "switchboard_store_commit_latency_seconds")
    private let batchSize = Recorder(label: "switchboard_store_commit_batch_events")

    /// Creates a committer over `store`.
    /// - Parameters:
    ///   - maxBatch: the most events committed in one transaction (default 512).
    ///   - maxWaiting: the most appends allowed to wait; more fail with ``StoreError/overloaded``.
    public init(store: any EventStore, maxBatch: Int = 512, maxWaiting: Int = 20_000, logger: Logger = Logger(label: "switchboard.commit")) {
        self.store = store
        self.maxBatch = maxBatch
        self.maxWaiting = maxWaiting
        self.logger = logger
        self.onCommit = Mutex(nil)
    }

    /// Installs the handler called after each commit. Set it before ``run()`` starts.
    public func setCommitHandler(_ handler: @escaping CommitHandler) {
        onCommit.withLock { $0 = Handler(call: handler) }
    }

    /// Appends one event and returns once it is committed (or known as a duplicate).
    public func append(_ request: AppendRequest) async throws(StoreError) -> AppendOutcome {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let item = Waiting(request: request, enqueued: .now, continuation: continuation)
                let outcome: (wake: CheckedContinuation<Void, Never>?, rejected: StoreError?) = state.withLock { state in
                    if state.isClosed { return (nil, .unavailable("the hub is shutting down")) }
                    if state.waiting.count >= maxWaiting { return (nil, .overloaded) }
                    state.waiting.append(item)
                    defer { state.wakeUp = nil }
                    return (state.wakeUp, nil)
                }
                if let rejected = outcome.rejected { continuation.resume(throwing: rejected) }
                outcome.wake?.resume()
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable()
        }
    }

    /// Commits batches until graceful shutdown or cancellation; appends already waiting
    /// at that moment are still committed, later ones are refused.
    public func run() async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                while let batch = await nextBatch() {
                    await commit(batch)
                }
            } onCancel: {
                close()
            }
        } onGracefulShutdown: {
            self.close()
        }
    }

    private func close() {
        let wake = state.withLock { state in
            state.isClosed = true
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        wake?.resume()
    }

    /// The next batch to commit; nil once closed with nothing left.
    private func nextBatch() async -> [Waiting]? {
        while true {
            let taken: [Waiting]? = state.withLock { state in
                if state.waiting.isEmpty { return state.isClosed ? [] : nil }
                let count = min(state.waiting.count, maxBatch)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return batch
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.waiting.isEmpty || state.isClosed { return true }
                    state.wakeUp = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    private func commit(_ batch: [Waiting]) async {
        do {
            let outcomes = try await store.append(batch.map(\.request))
            onCommit.withLock { $0 }?.call(outcomes)
            let now = ContinuousClock.now
            batchSize.record(batch.count)
            for (item, outcome) in zip(batch, outcomes) {
                commitLatency.recordInterval(now - item.enqueued)
                item.continuation.resume(returning: outcome)
            }
        } catch {
            logger.error("commit failed", metadata: ["sb.batch": "\(batch.count)", "error": "\(error)"])
            for item in batch { item.continuation.resume(throwing: error) }
        }
    }
}

extension Timer {
    fileprivate func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
