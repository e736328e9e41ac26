/// How a support queue hands out new tickets: the assignment policy, and (optionally) which
/// agents take part; with none listed, everyone watching the queue's stream does.
public struct QueueSettings: Codable, Sendable, Equatable {
    /// Manual, round-robin or least-loaded, with a per-agent capacity.
    public var assignment: AssignmentPolicy
    /// The agents who may be assigned; empty means any agent online on the queue.
    public var agents: [String]

    private enum CodingKeys: String, CodingKey {
        case assignment, agents
    }

    /// Decodes settings; `agents` may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        assignment = try container.decode(AssignmentPolicy.self, forKey: .assignment)
        agents = try container.decodeIfPresent([String].self, forKey: .agents) ?? []
    }

    /// Creates settings.
    public init(assignment: AssignmentPolicy = .manual, agents: [String] = []) {
        self.assignment = assignment
        self.agents = agents
    }

    /// Refuses a capacity below 1 or an agent id that cannot be stored.
    public func validate() throws(EntityError) {
        switch assignment {
        case .manual: break
        case .roundRobin(let capacity), .leastLoaded(let capacity):
            guard (1...10_000).contains(capacity) else { throw .invalid("capacity must be 1 to 10,000") }
        }
        guard agents.count <= 1000 else { throw .invalid("at most 1000 agents per queue") }
        for agent in agents { try TicketRules.checkAgent(agent) }
    }
}
