import Foundation

/// A ticket's service-level targets: the policy applied at creation, when the first
/// response came, whether a customer waits for the next response, the resolution clock
/// (paused while the ticket waits), and which warnings and breaches were already recorded
/// (each at most once per target, and per wait for the next response).
public struct TicketSLA: Codable, Sendable, Equatable {
    /// The targets a ticket is measured against.
    public enum Target: String, Codable, Sendable, CaseIterable {
        case firstResponse = "first_response"
        case nextResponse = "next_response"
        case resolution
    }

    /// What is recorded when a target's time comes.
    public enum Alert: String, Codable, Sendable, CaseIterable {
        case warning
        case breached

        /// The event recording it.
        public var eventName: String { "ticket.sla_\(rawValue)" }
    }

    /// The policy, as it was when applied.
    public var policy: SLAPolicy
    /// The share of a target after which a warning is recorded.
    public var warningFraction: Double
    /// When the targets started (the ticket's creation), in milliseconds since 1970.
    public var startedMilliseconds: Int64
    /// When staff first answered publicly; nil until then.
    public var firstResponseMilliseconds: Int64?
    /// When a customer's reply, after the first response, started waiting for staff's next
    /// public answer; nil while nobody waits. Each wait is its own next-response target.
    public var awaitingReplyMilliseconds: Int64?
    /// Time toward resolution; runs only while the ticket is new or open.
    public var resolution = SLAClock()
    /// `target.alert` pairs already recorded.
    public var recorded: Set<String> = []

    /// Starts the targets at `started`.
    public init(policy: SLAPolicy, warningFraction: Double, startedMilliseconds: Int64) {
        self.policy = policy
        self.warningFraction = warningFraction
        self.startedMilliseconds = startedMilliseconds
        resolution.start(at: Date(milliseconds: startedMilliseconds))
    }

    /// Notes a public comment at `time`: staff's answers meet the response targets; a
    /// customer's reply after the first response starts a next-response wait, whose
    /// alerts may be recorded afresh.
    public mutating func notePublicComment(byStaff: Bool, at time: Int64) {
        if byStaff {
            if firstResponseMilliseconds == nil { firstResponseMilliseconds = time }
            awaitingReplyMilliseconds = nil
        } else if firstResponseMilliseconds != nil, awaitingReplyMilliseconds == nil {
            awaitingReplyMilliseconds = time
            recorded = recorded.filter { !$0.hasPrefix(Target.nextResponse.rawValue + ".") }
        }
    }

    /// Ends any next-response wait: a solved or closed ticket expects no answer.
    public mutating func stopAwaitingReply() {
        awaitingReplyMilliseconds = nil
    }

    /// The timer name of a target's alert.
    public static func timerName(_ target: Target, _ alert: Alert) -> String { "sla.\(target.rawValue).\(alert.rawValue)" }

    /// When each alert still to come is due, by timer name. A target met (first response
    /// given) or not running (resolution paused) has none.
    public var dueAlerts: [String: Date] {
        var due: [String: Date] = [:]
        for target in Target.allCases {
            for alert in Alert.allCases where !recorded.contains("\(target.rawValue).\(alert.rawValue)") {
                let seconds = alert == .breached ? seconds(of: target) : Int((Double(seconds(of: target)) * warningFraction).rounded())
                if let date = dueDate(of: target, after: seconds) { due[Self.timerName(target, alert)] = date }
            }
        }
        return due
    }

    private func seconds(of target: Target) -> Int {
        switch target {
        case .firstResponse: policy.firstResponseSeconds
        case .nextResponse: policy.nextResponseSeconds
        case .resolution: policy.resolutionSeconds
        }
    }

    private func dueDate(of target: Target, after seconds: Int) -> Date? {
        switch target {
        case .firstResponse:
            firstResponseMilliseconds == nil ? policy.due(after: seconds, from: Date(milliseconds: startedMilliseconds)) : nil
        case .nextResponse:
            awaitingReplyMilliseconds.map { policy.due(after: seconds, from: Date(milliseconds: $0)) }
        case .resolution:
            resolution.due(targetSeconds: seconds, policy: policy)
        }
    }
}

extension Date {
    /// The instant `milliseconds` after 1970.
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
