/// How a queue hands new tickets to agents.
///
/// Encoded as `{"mode":"manual"}`, `{"mode":"round_robin","capacity":N}` or
/// `{"mode":"least_loaded","capacity":N}`. `capacity` is the most open tickets an agent
/// may hold before automatic assignment skips them; 0 or less means everyone is full.
public enum AssignmentPolicy: Codable, Sendable, Equatable {
    /// Nobody is assigned automatically; an agent takes the ticket.
    case manual
    /// Agents take turns in the caller's order, skipping those at capacity.
    case roundRobin(capacity: Int)
    /// The agent with the fewest open tickets, below capacity, takes it.
    case leastLoaded(capacity: Int)

    private enum CodingKeys: String, CodingKey {
        case mode, capacity
    }

    /// Decodes `{"mode", "capacity"}`; `capacity` is required for the automatic modes.
    ///
    /// - Throws: `DecodingError.dataCorrupted` for an unknown mode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let mode = try container.decode(String.self, forKey: .mode)
        switch mode {
        case "manual": self = .manual
        case "round_robin": self = .roundRobin(capacity: try container.decode(Int.self, forKey: .capacity))
        case "least_loaded": self = .leastLoaded(capacity: try container.decode(Int.self, forKey: .capacity))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .mode, in: container,
                debugDescription: "unknown assignment mode \"\(mode)\"; use manual, round_robin or least_loaded")
        }
    }

    /// Encodes `{"mode", "capacity"}`, leaving `capacity` out for `manual`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .manual:
            try container.encode("manual", forKey: .mode)
        case .roundRobin(let capacity):
            try container.encode("round_robin", forKey: .mode)
            try container.encode(capacity, forKey: .capacity)
        case .leastLoaded(let capacity):
            try container.encode("least_loaded", forKey: .mode)
            try container.encode(capacity, forKey: .capacity)
        }
    }
}
