/// One assignment at a time per queue: a pick reads each agent's open chats from the chat
/// index, and an assignment writes the index only after it is committed, so two picks at
/// once could both see room for the same last place (an agent over capacity).
///
/// Turns on one queue are taken in the order callers reach the actor (not necessarily the
/// order they called: actors are not FIFO); other queues are not held up. A caller cancelled
/// while it waits still takes its turn, runs and passes it on.
actor QueueTurns {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` in the queue's turn. A body that throws still ends its turn.
    func inTurn<T: Sendable, E: Error>(
        queue: String, _ body: @Sendable () async throws(E) -> T
    ) async throws(E) -> T {
        await take(queue)
        defer { pass(queue) }
        return try await body()
    }

    /// Waits until the queue is free, then holds it. `waiting[queue]` exists while someone
    /// holds the queue; its continuations are those in line behind.
    private func take(_ queue: String) async {
        guard waiting[queue] != nil else {
            waiting[queue] = []
            return
        }
        await withCheckedContinuation { waiting[queue]!.append($0) }
    }

    /// Hands the queue to the next in line, or frees it.
    private func pass(_ queue: String) {
        guard var line = waiting[queue], !line.isEmpty else {
            waiting[queue] = nil
            return
        }
        let next = line.removeFirst()
        waiting[queue] = line
        next.resume()
    }
}
