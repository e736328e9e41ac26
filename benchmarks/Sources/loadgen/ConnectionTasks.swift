/// Many connections as child tasks of one group: opened a batch of handshakes at a time,
/// then collected with a time limit.
enum ConnectionTasks {
    /// Adds `count` connection tasks to `group` (`open(index)` each), never more than
    /// `concurrency` of them unsettled in `progress` at once; waits until all have settled
    /// (subscribed, connected or failed) or `timeout` seconds passed, and reports the line
    /// `label: R of N in S s`.
    static func open<Result: Sendable>(
        _ count: Int, concurrency: Int, progress: Progress, timeout: Double, label: String,
        in group: inout ThrowingTaskGroup<Result, any Error>, _ open: @escaping @Sendable (Int) async -> Result
    ) async throws {
        let start = Monotonic.now()
        for index in 0..<count {
            while index - progress.settled >= concurrency { try await Task.sleep(for: .milliseconds(2)) }
            group.addTask { await open(index) }
        }
        let allSettled = try await progress.waitForSettled(count, timeout: timeout)
        Report.field(label, "\(progress.ready.load(ordering: .relaxed)) of \(count) in "
            + Report.fixed(Monotonic.seconds(Monotonic.now() - start), 1) + " s"
            + (allSettled ? "" : " (timed out waiting for the rest)"))
    }

    /// Collects the tallies of `count` connection tasks from `group` (tasks that return
    /// tallies; nil is kept for the timer this adds); cancels the rest `timeout` seconds from
    /// now. Returns the tallies and whether the time ran out before all arrived.
    static func collect<Tally: Sendable>(
        _ count: Int, timeout: Double, from group: inout ThrowingTaskGroup<Tally?, any Error>
    ) async throws -> (tallies: [Tally], timedOut: Bool) {
        guard count > 0 else { return ([], false) }
        group.addTask {
            try? await Task.sleep(for: .seconds(timeout))
            return nil
        }
        var tallies: [Tally] = []
        var timedOut = false
        while let next = try await group.next() {
            if let tally = next {
                tallies.append(tally)
                if tallies.count == count { group.cancelAll() }
            } else if tallies.count < count {
                timedOut = true
                group.cancelAll()
            }
        }
        return (tallies, timedOut)
    }
}
