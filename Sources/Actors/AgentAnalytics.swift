import Store

/// Per-agent support figures over a time window, computed from the stored events of
/// tickets and chats (not from projections, so they can be recomputed for any window
/// that history still covers).
///
/// Feed it every event of each ticket and chat topic touched in the window, grouped by
/// topic and in offset order (``EventHistoryStore/foldHistory(ofNamespaces:touchedFrom:to:into:_:)``);
/// earlier events only set context (when a ticket was created, who holds it). What
/// counts, for events inside the window:
/// - *assigned*: `ticket.assigned` to the agent;
/// - *solved*: a ticket's change to `solved` while the agent held it, with its resolution
///   time (from creation, wall-clock);
/// - *first response*: the first public staff comment on a ticket, for its author, timed
///   from creation;
/// - *SLA breaches*: `ticket.sla_breached` while the agent held the ticket;
/// - *chats handled*: chats closed while assigned to the agent.
public struct AgentAnalytics: Sendable {
    private struct Tally {
        var assigned = 0
        var solved = 0
        var breaches = 0
        var chats = 0
        var firstResponses: [Int64] = []
        var resolutions: [Int64] = []
    }

    private let from: Int64
    private let to: Int64
    private var tallies: [String: Tally] = [:]
    // The entity being read: events come grouped by topic.
    private var topic = ""
    private var createdAt: Int64?
    private var holder: String?
    private var responded = false

    /// A report for events from `from` to `to`, in milliseconds since 1970, inclusive.
    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    /// Takes the next event (see the type's ordering rule).
    public mutating func add(_ event: StoredEvent) {
        if event.topic != topic {
            topic = event.topic
            createdAt = nil
            holder = nil
            responded = false
        }
        let time = event.timeMilliseconds
        let counts = (from...to).contains(time)
        switch event.name {
        case "ticket.created":
            createdAt = time
        case "ticket.assigned":
            holder = event.payload(Ticket.Assigned.self)?.assignee
            if counts, let holder { tallies[holder, default: Tally()].assigned += 1 }
        case "chat.assigned":
            holder = event.payload(ChatSession.Assigned.self)?.agent
        case "comment.created":
            guard !responded, let comment = event.payload(Ticket.CommentCreated.self), comment.staff == true, !comment.internal else { break }
            responded = true
            if counts, let createdAt { tallies[comment.author, default: Tally()].firstResponses.append(time - createdAt) }
        case "ticket.status_changed":
            guard counts, event.payload(Ticket.StatusChanged.self)?.to == .solved, let holder else { break }
            tallies[holder, default: Tally()].solved += 1
            if let createdAt { tallies[holder, default: Tally()].resolutions.append(time - createdAt) }
        case "ticket.sla_breached":
            if counts, let holder { tallies[holder, default: Tally()].breaches += 1 }
        case "chat.closed":
            if counts, let holder { tallies[holder, default: Tally()].chats += 1 }
        default:
            break
        }
    }

    /// One row per agent with anything in the window, by agent id.
    public var report: [AgentReport] {
        tallies.sorted { $0.key < $1.key }.map { agent, tally in
            AgentReport(
                agent: agent, ticketsAssigned: tally.assigned, ticketsSolved: tally.solved,
                firstResponse: DurationSummary(tally.firstResponses), resolution: DurationSummary(tally.resolutions),
                slaBreaches: tally.breaches, chatsHandled: tally.chats)
        }
    }
}

/// One agent's figures over a window.
public struct AgentReport: Sendable, Equatable, Encodable {
    public var agent: String
    public var ticketsAssigned: Int
    public var ticketsSolved: Int
    /// First-response times of the tickets the agent answered first; nil without any.
    public var firstResponse: DurationSummary?
    /// Resolution times of the tickets the agent solved; nil without any.
    public var resolution: DurationSummary?
    public var slaBreaches: Int
    public var chatsHandled: Int
}

/// The median and 90th percentile of some durations, in seconds (nearest rank: each is
/// one of the measured values).
public struct DurationSummary: Sendable, Equatable, Encodable {
    public var count: Int
    public var medianSeconds: Double
    public var p90Seconds: Double

    /// Summarizes durations in milliseconds; nil when there are none.
    init?(_ milliseconds: [Int64]) {
        guard !milliseconds.isEmpty else { return nil }
        let sorted = milliseconds.sorted()
        func rank(_ fraction: Double) -> Double {
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[max(0, index)]) / 1000
        }
        count = sorted.count
        medianSeconds = rank(0.5)
        p90Seconds = rank(0.9)
    }
}
