import Channels
import Store
import Synchronization

/// Picks the agent for new work on a queue: among the agents (principals with the agent
/// role) online on the queue's stream `tickets:{queue}` (and listed in the queue's settings, when it lists any), by
/// the queue's policy and within each agent's capacity.
///
/// Round-robin turns are kept in memory per queue, so a restart starts each queue afresh.
/// Tickets and chats each have their own picker, so their turns and loads stay apart.
final class AgentPicker: Sendable {
    private let topics: Topics
    private let turns = Mutex<[String: Assigner]>([:])

    init(topics: Topics) {
        self.topics = topics
    }

    /// The agent to assign, or nil when the policy is manual, nobody is online or all
    /// are full. `loads` gives the open work per agent; it is read only when someone is online.
    func pick(
        queue: String, settings: QueueSettings, loads: () async throws(StoreError) -> [String: Int]
    ) async throws(EntityError) -> String? {
        guard settings.assignment != .manual, let stream = TopicName("tickets:" + queue) else { return nil }
        var online = Set(topics.presence(of: stream).filter(\.isAgent).map(\.user))
        if !settings.agents.isEmpty { online.formIntersection(settings.agents) }
        guard !online.isEmpty else { return nil }
        let open: [String: Int]
        do { open = try await loads() } catch { throw .unavailable(error.message) }
        let candidates = online.sorted().map { AgentLoad(agent: $0, open: open[$0, default: 0]) }
        return turns.withLock { turns in
            turns[queue, default: Assigner()].pick(from: candidates, policy: settings.assignment)
        }
    }
}
