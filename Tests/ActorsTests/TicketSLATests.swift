@testable import Actors
import Foundation
import Testing

/// The response targets of a ticket: first response once, next response per customer wait.
@Suite("Ticket SLA targets")
struct TicketSLATests {
    // first response 3600 s, next response 7200 s, resolution 86400 s; calendar time
    private var sla = TicketSLA(policy: SLAPolicyTests.policy("gold"), warningFraction: 0.5, startedMilliseconds: 0)

    private func due(_ target: TicketSLA.Target, _ alert: TicketSLA.Alert) -> TimeInterval? {
        sla.dueAlerts[TicketSLA.timerName(target, alert)].map { ($0.timeIntervalSince1970 * 1000).rounded() / 1000 }
    }

    @Test mutating func nextResponseRunsFromEachCustomerReplyUntilStaffAnswers() {
        #expect(due(.firstResponse, .breached) == 3600)
        #expect(due(.nextResponse, .breached) == nil, "nobody waits before the first response")
        sla.notePublicComment(byStaff: false, at: 1_000_000)
        #expect(due(.nextResponse, .breached) == nil, "a customer reply before the first response adds no target")

        sla.notePublicComment(byStaff: true, at: 2_000_000)
        #expect(sla.firstResponseMilliseconds == 2_000_000)
        #expect(due(.firstResponse, .breached) == nil)

        sla.notePublicComment(byStaff: false, at: 10_000_000)
        #expect(due(.nextResponse, .warning) == 13_600)
        #expect(due(.nextResponse, .breached) == 17_200)
        sla.notePublicComment(byStaff: false, at: 11_000_000)
        #expect(due(.nextResponse, .breached) == 17_200, "the wait started at the first unanswered reply")

        // A breach recorded in one wait does not silence the next wait
        sla.recorded.insert("next_response.breached")
        #expect(due(.nextResponse, .breached) == nil)
        sla.notePublicComment(byStaff: true, at: 20_000_000)
        sla.notePublicComment(byStaff: false, at: 30_000_000)
        #expect(due(.nextResponse, .breached) == 37_200)

        sla.stopAwaitingReply()
        #expect(due(.nextResponse, .breached) == nil, "a solved ticket awaits no answer")
        #expect(due(.firstResponse, .breached) == nil, "the first response stays met")
    }
}
