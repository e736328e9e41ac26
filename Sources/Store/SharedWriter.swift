import GRDB
import Synchronization

/// Group commit for small writes of any kind: writes that arrive while a transaction is
/// being committed wait, then go together in the next one, so a burst of them costs one
/// sync instead of one each. Each write runs in its own savepoint, so one that throws is
/// undone alone and fails alone; all of a transaction's writers learn its outcome only
/// after its commit, so none is told "done" before its change is committed (as durable as
/// the store's `synchronous` setting makes any commit). If the commit itself fails, every
/// write of that transaction fails.
///
/// - Important: Bodies must be small (a few rows: one big write holds up every write
///   beside it) and must not begin, commit or roll back transactions themselves.
///
/// Concurrency model: callers enqueue under a mutex and suspend. The caller that finds no
/// flush running starts one task that commits batches (at most `maxBatch` writes each)
/// until the queue is empty, then ends; there is no loop running while nothing is written.
final class SharedWriter: Sendable {
    private struct Pending: Sendable {
        /// Runs the write inside the shared transaction, keeping its own result.
        let run: @Sendable (Database) -> Void
        /// Resumes the caller once the transaction ended: with its result, or the commit's error.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var isFlushing = false
    }

    private let pool: DatabasePool
    private let maxBatch: Int
    private let maxWaiting: Int
    private let state = Mutex(State())

    /// A writer committing at most `maxBatch` writes at once, refusing new ones with
    /// ``StoreError/overloaded`` while `maxWaiting` wait.
    init(pool: DatabasePool, maxBatch: Int = 256, maxWaiting: Int = 20_000) {
        self.pool = pool
        self.maxBatch = maxBatch
        self.maxWaiting = maxWaiting
    }

    /// Runs `body` in a transaction shared with the writes waiting beside it; returns its
    /// result once that transaction is committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(
                run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        result.withLock { $0 = value.map { .success($0) } }
                    } catch {
                        result.withLock { $0 = .failure(error) }
                    }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else if let outcome = result.withLock({ $0 }) {
                        continuation.resume(with: outcome)
                    } else {
                        continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_ERROR, message: "the write did not run"))
                    }
                })
            let starts: Bool? = state.withLock { state in
                guard state.pending.count < maxWaiting else { return nil }
                state.pending.append(pending)
                defer { state.isFlushing = true }
                return !state.isFlushing
            }
            switch starts {
            case nil: continuation.resume(throwing: StoreError.overloaded)
            // Writes wait on it from any priority; it runs at the highest of them.
            case true?: Task(priority: .high) { await self.flush() }
            case false?: break
            }
        }
    }

    /// Commits batches until nothing waits.
    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.isFlushing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await pool.write { db in
                    for pending in batch { pending.run(db) }
                }
                for pending in batch { pending.finish(nil) }
            } catch {
                for pending in batch { pending.finish(error) }
            }
        }
    }
}
