import Foundation

/// Service-level targets for tickets of one priority, optionally limited to one queue and
/// measured in business hours.
///
/// Targets are seconds of business time when ``businessHours`` is set and of calendar time
/// otherwise. Pure: due times are computed from the instants passed in.
public struct SLAPolicy: Codable, Sendable, Equatable {
    /// A stable identifier, 1 to 64 characters of `a-z`, `0-9`, `_` and `-`.
    public var name: String
    /// The ticket priority the policy covers.
    public var priority: TicketPriority
    /// The queue the policy is limited to; `nil` covers every queue that has no policy of
    /// its own.
    public var queue: String?
    /// Seconds from the ticket's creation to the first agent reply.
    public var firstResponseSeconds: Int
    /// Seconds from a customer reply to the next agent reply.
    public var nextResponseSeconds: Int
    /// Seconds of running ``SLAClock`` time until the ticket is solved.
    public var resolutionSeconds: Int
    /// The schedule targets are counted in; `nil` counts calendar time, around the clock.
    public var businessHours: BusinessHours?

    /// Creates a policy; ``validate()`` checks it.
    public init(
        name: String, priority: TicketPriority, queue: String? = nil, firstResponseSeconds: Int,
        nextResponseSeconds: Int, resolutionSeconds: Int, businessHours: BusinessHours? = nil
    ) {
        self.name = name
        self.priority = priority
        self.queue = queue
        self.firstResponseSeconds = firstResponseSeconds
        self.nextResponseSeconds = nextResponseSeconds
        self.resolutionSeconds = resolutionSeconds
        self.businessHours = businessHours
    }

    /// Checks that the policy can be used.
    ///
    /// - Throws: `EntityError.invalid` for a name outside 1...64 characters of `a-z0-9_-`,
    ///   an empty queue, a target that is not positive, or invalid ``businessHours``.
    public func validate() throws(EntityError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
        guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy(allowed.contains) else {
            throw .invalid("an SLA policy name must be 1 to 64 characters of a-z, 0-9, _ and -")
        }
        guard queue != "" else {
            throw .invalid("SLA policy \(name): the queue must not be empty; omit it to cover every queue")
        }
        let targets = [
            ("first response", firstResponseSeconds), ("next response", nextResponseSeconds),
            ("resolution", resolutionSeconds),
        ]
        for (target, seconds) in targets where seconds <= 0 {
            throw .invalid("SLA policy \(name): the \(target) target must be a positive number of seconds")
        }
        try businessHours?.validate()
    }

    /// The policy that governs a ticket of `priority` in `queue`, or nil when none covers it.
    ///
    /// Only policies of the same priority qualify. A policy for the queue itself wins over a
    /// queue-less one; among equals the smallest name wins, so the answer does not depend on
    /// the order of `policies`.
    public static func matching(_ policies: [SLAPolicy], priority: TicketPriority, queue: String) -> SLAPolicy? {
        policies
            .filter { $0.priority == priority && ($0.queue == nil || $0.queue == queue) }
            .min { lhs, rhs in
                let lhsOwn = lhs.queue != nil
                let rhsOwn = rhs.queue != nil
                return lhsOwn != rhsOwn ? lhsOwn : lhs.name < rhs.name
            }
    }

    /// When a target of `seconds` that starts counting at `start` is due: in business time
    /// when ``businessHours`` is set (counting from the next opening if `start` is outside
    /// hours), else `seconds` of calendar time after `start`.
    public func due(after seconds: Int, from start: Date) -> Date {
        guard let businessHours else { return start.addingTimeInterval(TimeInterval(seconds)) }
        return businessHours.add(seconds: seconds, to: start)
    }
}
