import ServiceLifecycle
import Store

/// Waiting chats: a chat that found no agent with room (nobody online, everyone full) waits,
/// and is handed out, oldest first, when an agent comes online on the queue's stream
/// `tickets:{queue}` or a chat of the queue closes or moves to another agent.
///
/// Requests only mark the queue and wake the loop, so they never block the subscribe or the
/// command that made them; requests made while the loop works make one more round. Each
/// chat is taken only while it still waits (``ChatSession/assignIfWaiting(to:)``), so a
/// hand-out never undoes a transfer or races the assignment of a new chat.
extension ChatDesk: Service {
    /// The most waiting chats read at once.
    static let handoutPage = 50

    /// Hands out waiting chats as they are requested, until graceful shutdown or
    /// cancellation. Call once: the wake-ups have one reader.
    public func run() async {
        for await _ in handoutWakeUps.stream.cancelOnGracefulShutdown() {
            let queues = handoutQueues.withLock { queues in
                defer { queues = [] }
                return queues
            }
            for queue in queues.sorted() {
                await handOutWaiting(queue: queue)
            }
        }
    }

    /// Asks the loop to hand out the queue's waiting chats.
    func requestHandout(queue: String) {
        handoutQueues.withLock { _ = $0.insert(queue) }
        handoutWakeUps.continuation.yield()
    }

    /// Hands the queue's waiting chats, oldest first, to online agents by the queue's policy,
    /// until none waits or no agent has room. A failure is logged; the next request for the
    /// queue tries again.
    func handOutWaiting(queue: String) async {
        do {
            let settings = try await queueSettings(queue)
            // A chat read twice means its hand-out did not stick (its index could not be
            // saved): stop rather than go round again.
            var seen = Set<String>()
            while true {
                let waiting = try await index.waitingChats(queue: queue, limit: Self.handoutPage)
                for chat in waiting {
                    guard seen.insert(chat.id).inserted,
                          let agent = try await pickAgent(queue: queue, settings: settings)
                    else { return }
                    _ = try await run(chat.id) { _ = try await $0.assignIfWaiting(to: agent) }
                }
                if waiting.count < Self.handoutPage { return }
            }
        } catch {
            logger.warning("cannot hand out waiting chats", metadata: ["sb.queue": "\(queue)", "sb.error": "\(error)"])
        }
    }
}
