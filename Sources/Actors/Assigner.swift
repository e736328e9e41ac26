/// An online agent and how many open tickets they hold: the input to ``Assigner``.
public struct AgentLoad: Sendable, Equatable {
    /// The agent's id.
    public var agent: String
    /// Open tickets currently assigned to them.
    public var open: Int

    /// Creates a load entry.
    public init(agent: String, open: Int) {
        self.agent = agent
        self.open = open
    }
}

/// Chooses the agent for a new ticket under an ``AssignmentPolicy``, remembering whose turn
/// it was for round-robin.
///
/// Pure and deterministic: the same agents, in the same order, with the same state, give
/// the same pick. The queue keeps one assigner in its state and persists it, so turns
/// survive a restart.
public struct Assigner: Codable, Sendable, Equatable {
    /// The agent picked last; round-robin continues after them.
    public var lastAssigned: String?

    /// An assigner that has picked nobody yet.
    public init() {
        lastAssigned = nil
    }

    /// The agent to assign among `online` agents (in a stable order given by the caller), under their capacity; nil for manual or when all are full.
    ///
    /// An agent is under capacity when `open < capacity`. Round-robin continues after
    /// ``lastAssigned`` (wrapping), skipping full agents; when ``lastAssigned`` is not
    /// online it starts from the first agent. Least-loaded takes the fewest open, ties by
    /// the given order. Updates ``lastAssigned`` when it picks, and only then.
    public mutating func pick(from online: [AgentLoad], policy: AssignmentPolicy) -> String? {
        let picked: AgentLoad?
        switch policy {
        case .manual:
            picked = nil
        case .roundRobin(let capacity):
            let after = online.firstIndex { $0.agent == lastAssigned }.map { $0 + 1 } ?? 0
            let turns = online[after...] + online[..<after]
            picked = turns.first { $0.open < capacity }
        case .leastLoaded(let capacity):
            // `min(by:)` keeps the first of equal elements, so ties go by the given order.
            picked = online.filter { $0.open < capacity }.min { $0.open < $1.open }
        }
        if let picked { lastAssigned = picked.agent }
        return picked?.agent
    }
}
