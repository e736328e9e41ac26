import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The single writer of topic events: it gathers concurrent appends into batches and
/// commits each batch in one transaction (group commit), so durability costs one sync
/// per batch rather than one per event.
///
/// Concurrency model: callers enqueue under a mutex, then suspend or go on (see
/// ``append(_:completion:)``); the commit loop, on a thread of its own, takes whatever is
/// waiting, commits it, calls `onCommit` with the outcomes in commit order, then completes
/// the appends. Because `onCommit` runs on this one loop, events reach fan-out in exactly the
/// order their offsets were given out, and appends queued one after another get offsets in
/// that order.
///
/// Why a thread: every commit blocks for the disk, and each publish waits for the commit
/// in progress and then its own, so the loop's speed is every publisher's latency. On a
/// thread of its own the loop calls the store directly; as a task it lost two thread hops
/// per batch (to the database's queue and back), which cost publishes/s (docs/benchmarks.md,
/// finding 12).
///
/// - Important: `onCommit` runs on the commit loop; it must not block or await.
public final class GroupCommitter: Service, Sendable {
    /// What happens after each committed batch, before the appends are completed.
    public typealias CommitHandler = @Sendable ([AppendOutcome]) -> Void

    /// What an append's caller learns once its batch is committed, or why it was refused.
    public typealias Completion = @Sendable (Result<AppendOutcome, StoreError>) -> Void

    /// The handler in a struct: a closure stored directly in a `Mutex` is re-wrapped in a
    /// reabstraction thunk on every read, so each commit got slower than the last.
    private struct Handler: Sendable {
        let call: CommitHandler
    }

    private struct Waiting {
        var request: AppendRequest
        var enqueued: ContinuousClock.Instant
        var completion: Completion
    }

    private struct State {
        var waiting: [Waiting] = []
        /// True once the loop found nothing and is about to wait for ``GroupCommitter/wakeUps``;
        /// whoever sets it false signals once. A signal that comes before the loop's `wait()`
        /// is not lost: the semaphore keeps the count.
        var isLoopIdle = false
        var isClosed = false
        var isRunning = false

        /// Whether the caller must signal the loop: true once per idle period.
        mutating func wakeLoop() -> Bool {
            defer { isLoopIdle = false }
            return isLoopIdle
        }
    }

    private let store: any EventStore
    private let maxBatch: Int
    private let maxWaiting: Int
    private let onCommit: Mutex<Handler?>
    private let state = Mutex(State())
    /// Signalled once each time the idle loop is given work (or closed).
    private let wakeUps = DispatchSemaphore(value: 0)
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

    /// Appends waiting for the loop (diagnostics and tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Appends one event and returns once it is committed (or known as a duplicate).
    ///
    /// Throws ``StoreError/overloaded`` when `maxWaiting` appends already wait (appends made
    /// before ``run()`` starts wait for it), `unavailable` once the committer is closing or
    /// when the batch's commit failed.
    public func append(_ request: AppendRequest) async throws(StoreError) -> AppendOutcome {
        try await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendOutcome, StoreError>, Never>) in
            do throws(StoreError) {
                try append(request) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }.get()
    }

    /// Queues one event and returns at once: appends queued one after another are committed
    /// in that order. `completion` runs on the commit loop once the batch is committed, or
    /// failed (after `onCommit`), so it must not block. Throws, without calling `completion`,
    /// ``StoreError/overloaded`` or `unavailable` when the append is refused (see
    /// ``append(_:)``).
    public func append(_ request: AppendRequest, completion: @escaping Completion) throws(StoreError) {
        let item = Waiting(request: request, enqueued: .now, completion: completion)
        let wake = try state.withLock { state throws(StoreError) -> Bool in
            if state.isClosed { throw .unavailable("the hub is shutting down") }
            if state.waiting.count >= maxWaiting { throw .overloaded }
            state.waiting.append(item)
            return state.wakeLoop()
        }
        if wake { wakeUps.signal() }
    }

    /// Commits batches until graceful shutdown or cancellation; appends already waiting
    /// at that moment are still committed, later ones are refused. The loop holds a thread
    /// of its own (`switchboard.commit`) until it returns.
    ///
    /// - Important: Call once: one loop is what keeps the committer the single writer.
    public func run() async {
        let isSecondRun = state.withLock { state in
            defer { state.isRunning = true }
            return state.isRunning
        }
        precondition(!isSecondRun, "GroupCommitter.run() must be called once: two loops would commit out of order")
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        while let batch = nextBatch() { commit(batch) }
                        finished.resume()
                    }
                    thread.name = "switchboard.commit"
                    thread.start()
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
            return state.wakeLoop()
        }
        if wake { wakeUps.signal() }
    }

    /// What the loop found waiting.
    private enum Next {
        case batch([Waiting])
        /// Nothing yet: the loop sleeps until signalled.
        case idle
        /// Closed with nothing left: the loop ends.
        case finished
    }

    /// The next batch to commit, waiting on the loop's thread for one; nil once closed with
    /// nothing left.
    private func nextBatch() -> [Waiting]? {
        while true {
            let next: Next = state.withLock { state in
                if state.waiting.isEmpty {
                    if state.isClosed { return .finished }
                    state.isLoopIdle = true
                    return .idle
                }
                let count = min(state.waiting.count, maxBatch)
                defer { state.waiting.removeFirst(count) }
                return .batch(Array(state.waiting.prefix(count)))
            }
            switch next {
            case .batch(let batch): return batch
            case .idle: wakeUps.wait()
            case .finished: return nil
            }
        }
    }

    private func commit(_ batch: [Waiting]) {
        do throws(StoreError) {
            let outcomes = try store.append(batch.map(\.request))
            onCommit.withLock { $0 }?.call(outcomes)
            let now = ContinuousClock.now
            batchSize.record(batch.count)
            for (item, outcome) in zip(batch, outcomes) {
                commitLatency.recordInterval(now - item.enqueued)
                item.completion(.success(outcome))
            }
        } catch {
            logger.error("commit failed", metadata: ["sb.batch": "\(batch.count)", "error": "\(error)"])
            for item in batch { item.completion(.failure(error)) }
        }
    }
}

extension Timer {
    fileprivate func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
