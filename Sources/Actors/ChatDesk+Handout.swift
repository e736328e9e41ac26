import ServiceLifecycle
import Store

/// Waiting chats: a chat that found no agent with room (nobody online, everyone full) waits,
/// and is handed out, oldest first, when an agent comes online on the queue's stream
/// `tickets:{queue}`, a chat of the queue closes or moves to another agent, or the queue's
/// settings are saved.
///
/// Requests only mark the queue and wake the loop, so they never block the subscribe or the
/// command that made them; requests made while the loop works make one more round. Each
/// chat is taken only while it still waits (``ChatSession/assignIfWaiting(to:)``), so a
/// hand-out never undoes a transfer, and in the queue's turn (``QueueTurns``), so it and a new
/// chat's assignment never both give away an agent's last place. A new chat waits behind
/// older ones. A failed round is logged; the next request for the queue tries again.
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

    /// Asks the hand-out loop to hand out the queue's waiting chats: for a change that may
    /// give an agent room (new queue settings, a chat closed or moved, an agent online).
    public func requestHandout(queue: String) {
        handoutQueues.withLock { _ = $0.insert(queue) }
        handoutWakeUps.continuation.yield()
    }

    /// Hands the queue's waiting chats, oldest first, to online agents by the queue's policy,
    /// until none waits or no agent has room. A chat that cannot be assigned is logged and
    /// passed over, so it never holds up the chats behind it; a failed read ends the round.
    /// The next request for the queue tries again.
    func handOutWaiting(queue: String) async {
        do {
            let settings = try await queueSettings(queue)
            // A chat read again was passed over or did not stay assigned (its index could not
            // be saved): it is skipped, and a page with nothing new ends the round.
            var seen = Set<String>()
            while true {
                let waiting = try await index.waitingChats(queue: queue, limit: Self.handoutPage)
                let fresh = waiting.filter { seen.insert($0.id).inserted }
                for chat in fresh {
                    do {
                        guard try await assignWaiting(chat.id, queue: queue, settings: settings) != nil else { return }
                    } catch {
                        logger.warning("cannot hand out a waiting chat", metadata: ["sb.chat": "\(chat.id)", "sb.error": "\(error)"])
                    }
                }
                if fresh.isEmpty || waiting.count < Self.handoutPage { return }
            }
        } catch {
            logger.warning("cannot hand out waiting chats", metadata: ["sb.queue": "\(queue)", "sb.error": "\(error)"])
        }
    }
}
