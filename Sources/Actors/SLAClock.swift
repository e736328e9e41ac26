import Foundation

/// Business/calendar time consumed toward a target, paused while the ticket waits on the customer.
///
/// The ticket entity starts it when ``TicketLifecycle/resolutionClockRuns(in:)`` becomes
/// true and pauses it when it becomes false; the clock itself never reads the time, so it
/// is replayed exactly from the journal. Consumed time is counted with the policy passed
/// to ``pause(at:policy:)``: business seconds when the policy has business hours, calendar
/// seconds otherwise.
public struct SLAClock: Codable, Sendable, Equatable {
    /// Whole seconds consumed during earlier running periods; the current period is not
    /// included until it is paused.
    public private(set) var consumedSeconds: Int
    /// When the current running period began; nil while paused.
    public private(set) var runningSince: Date?

    /// A paused clock with nothing consumed.
    public init() {
        consumedSeconds = 0
        runningSince = nil
    }

    /// Starts a running period at `at`; a running clock keeps its original start.
    public mutating func start(at: Date) {
        guard runningSince == nil else { return }
        runningSince = at
    }

    /// Ends the running period at `at`, adding its length under `policy` (business seconds
    /// when the policy has business hours) to ``consumedSeconds``. A paused clock is left
    /// as it is; a pause before the start adds nothing.
    public mutating func pause(at: Date, policy: SLAPolicy) {
        guard let since = runningSince else { return }
        let elapsed =
            if let hours = policy.businessHours {
                hours.businessSeconds(from: since, to: at)
            } else {
                max(0, Int(at.timeIntervalSince(since).rounded()))
            }
        consumedSeconds += elapsed
        runningSince = nil
    }

    /// When `targetSeconds` of consumed time will be reached if the clock keeps running;
    /// nil while paused. A target already used up is due at ``runningSince``, a time no
    /// later than now, so it reads as breached.
    public func due(targetSeconds: Int, policy: SLAPolicy) -> Date? {
        guard let since = runningSince else { return nil }
        return policy.due(after: max(0, targetSeconds - consumedSeconds), from: since)
    }
}
