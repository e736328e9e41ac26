import Synchronization

/// A connection's pipelined publishes: queued for commit and not yet answered. At most
/// `limit` at once, so a client that sends publishes without waiting for their replies
/// cannot queue work without bound; past it, the connection stops performing (and soon
/// reading) until a reply goes out.
///
/// Concurrency: only the connection's performing task reserves, one publish at a time;
/// releases come from the commit loop. Waiting until all are answered (``settled()``,
/// ``whenSettled(_:)``) is how the connection keeps its replies in the order of its frames.
final class InFlightPublishes: Sendable {
    private struct State {
        var count = 0
        /// The performing task, waiting for room.
        var waiter: CheckedContinuation<Void, Never>?
        /// Run once the count is back to zero.
        var onSettled: [@Sendable () -> Void] = []

        /// Takes a place if one is free.
        mutating func take(limit: Int) -> Bool {
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// The most publishes in flight at once.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place for one more publish, waiting until one is free.
    ///
    /// - Important: Only the connection's performing task calls this, one call at a time: a
    ///   second waiter would be lost.
    func reserve() async {
        if state.withLock({ $0.take(limit: limit) }) { return }
        await withCheckedContinuation { continuation in
            let taken = state.withLock { state in
                guard state.take(limit: limit) else {
                    precondition(state.waiter == nil, "InFlightPublishes.reserve() called by two tasks at once")
                    state.waiter = continuation
                    return false
                }
                return true
            }
            if taken { continuation.resume() }
        }
    }

    /// Whether a task waits for a place (for tests).
    var hasWaiter: Bool { state.withLock { $0.waiter != nil } }

    /// Gives back a publish's place once it is answered: to the waiting task if there is one.
    func release() {
        let (waiter, settled) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [@Sendable () -> Void]) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, [])  // the place passes to it
            }
            precondition(state.count > 0, "InFlightPublishes.release() without a reserve()")
            state.count -= 1
            guard state.count == 0 else { return (nil, []) }
            defer { state.onSettled = [] }
            return (nil, state.onSettled)
        }
        waiter?.resume()
        for action in settled { action() }
    }

    /// Runs `action` once no publish is in flight: now, or when the last one is answered.
    func whenSettled(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            guard state.count > 0 else { return true }
            state.onSettled.append(action)
            return false
        }
        if now { action() }
    }

    /// Returns once no publish is in flight (at once when none is).
    func settled() async {
        if state.withLock({ $0.count == 0 }) { return }
        await withCheckedContinuation { continuation in whenSettled { continuation.resume() } }
    }
}
