/// How urgent a support ticket is; it selects the ``SLAPolicy`` that applies.
///
/// Ordered from least to most urgent, so `.low < .urgent` and `max()` finds the most urgent.
/// The raw values are the wire and storage names.
public enum TicketPriority: String, Codable, Sendable, CaseIterable, Comparable {
    /// Can wait.
    case low
    /// The default.
    case normal
    /// Needs attention soon.
    case high
    /// Needs attention now.
    case urgent

    /// Compares by urgency (declaration order), never by raw value.
    public static func < (lhs: TicketPriority, rhs: TicketPriority) -> Bool {
        lhs.rank < rhs.rank
    }

    /// The position in declaration order: 0 for `.low`, 3 for `.urgent`.
    private var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .urgent: 3
        }
    }
}
