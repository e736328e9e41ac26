/// Keeps SMTP connections for reuse: at most `limit` open at once, idle ones parked with
/// an idle timer, broken ones dropped.
///
/// Concurrency: an actor; every state change (`open` counts, the idle stack, the waiters)
/// happens before the one `await` in ``lease(opening:)``, which re-checks everything after
/// it resumes. Waiters are woken in order but not guaranteed the slot they were woken
/// for: a woken lease loops and may wait again.
actor SMTPConnectionPool {
    private let limit: Int
    private let idleTimeout: Duration
    /// Idle connections, most recently used last (reused first, so extras time out).
    private var idle: [SMTPConnection] = []
    /// Connections open or being opened: idle, leased and connecting.
    private var open = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    init(limit: Int, idleTimeout: Duration) {
        self.limit = limit
        self.idleTimeout = idleTimeout
    }

    /// An idle connection (`reused` true) or a new one from `opening`; waits while `limit`
    /// connections are in use. Throws `email_cancelled` when the task is cancelled while
    /// waiting, and `opening`'s error when a new connection fails.
    func lease(opening: @Sendable () async throws(EmailError) -> SMTPConnection) async throws(EmailError) -> (SMTPConnection, reused: Bool) {
        while true {
            guard !isShutDown else { throw .connectionFailed("the SMTP client is shut down") }
            guard !Task.isCancelled else { throw .cancelled }
            while let connection = idle.popLast() {
                if connection.claim() { return (connection, true) }
                open -= 1
            }
            if open < limit {
                open += 1  // the slot is taken before the await, so no other lease can take it
                do {
                    return (try await opening(), false)
                } catch {
                    releaseSlot()
                    throw error
                }
            }
            await waitForSlot()
        }
    }

    /// Returns a leased connection: parked for reuse when `reusable` and still open,
    /// closed otherwise.
    func release(_ connection: SMTPConnection, reusable: Bool) {
        if reusable, !isShutDown, connection.isActive {
            connection.park(closingAfter: idleTimeout)
            idle.append(connection)
            wakeOne()
        } else {
            connection.close()
            releaseSlot()
        }
    }

    /// Closes the idle connections and refuses new leases; leased ones close on release.
    func shutdown() {
        isShutDown = true
        for connection in idle { connection.close() }
        open -= idle.count
        idle = []
        for waiter in waiters { waiter.continuation.resume() }
        waiters = []
    }

    /// How many connections are open or being opened (for tests and metrics).
    var openCount: Int { open }

    private func releaseSlot() {
        open -= 1
        wakeOne()
    }

    private func wakeOne() {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().continuation.resume()
    }

    private func waitForSlot() async {
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume()
    }
}
