@testable import Actors
import Foundation
import Testing

@Suite("TicketLifecycle")
struct TicketLifecycleTests {
    /// The allowed moves, written out independently of the implementation.
    static let allowed: [(TicketStatus, TicketStatus)] = [
        (.new, .open), (.new, .pending), (.new, .onHold), (.new, .solved),
        (.open, .pending), (.open, .onHold), (.open, .solved),
        (.pending, .open), (.pending, .onHold), (.pending, .solved),
        (.onHold, .open), (.onHold, .pending), (.onHold, .solved),
        (.solved, .open), (.solved, .closed),
    ]

    static func isAllowed(_ from: TicketStatus, _ to: TicketStatus) -> Bool {
        allowed.contains { $0 == from && $1 == to }
    }

    @Test("every pair of statuses is allowed or refused exactly as the table says",
          arguments: TicketStatus.allCases, TicketStatus.allCases)
    func allowsExactlyTheTable(from: TicketStatus, to: TicketStatus) {
        #expect(TicketLifecycle.allows(from, to) == Self.isAllowed(from, to))
    }

    @Test("check throws a conflict naming both statuses exactly when a move is refused",
          arguments: TicketStatus.allCases, TicketStatus.allCases)
    func checkMatchesAllows(from: TicketStatus, to: TicketStatus) {
        if Self.isAllowed(from, to) {
            #expect(throws: Never.self) { try TicketLifecycle.check(from, to) }
        } else {
            #expect(throws: EntityError.conflict("cannot move a ticket from \(from.rawValue) to \(to.rawValue)")) {
                try TicketLifecycle.check(from, to)
            }
        }
    }

    @Test("staying in the same status is refused", arguments: TicketStatus.allCases)
    func refusesSelfTransition(status: TicketStatus) {
        #expect(!TicketLifecycle.allows(status, status))
    }

    @Test("closed is final", arguments: TicketStatus.allCases)
    func closedIsFinal(to: TicketStatus) {
        #expect(!TicketLifecycle.allows(.closed, to))
    }

    @Test("the conflict message uses wire names")
    func conflictMessageUsesRawNames() {
        #expect(throws: EntityError.conflict("cannot move a ticket from closed to on_hold")) {
            try TicketLifecycle.check(.closed, .onHold)
        }
    }

    @Test("a customer reply reopens solved and pending tickets and leaves the others",
          arguments: [
              (TicketStatus.new, TicketStatus.new), (.open, .open), (.pending, .open),
              (.onHold, .onHold), (.solved, .open),
          ])
    func customerReply(status: TicketStatus, expected: TicketStatus) throws {
        #expect(try TicketLifecycle.afterCustomerReply(status) == expected)
    }

    @Test("a customer reply to a closed ticket is a conflict")
    func customerReplyToClosedIsRefused() {
        #expect(throws: EntityError.conflict("cannot reply to a closed ticket")) {
            try TicketLifecycle.afterCustomerReply(.closed)
        }
    }

    @Test("the resolution clock runs only while the ticket waits on the team",
          arguments: [
              (TicketStatus.new, true), (.open, true), (.pending, false), (.onHold, false),
              (.solved, false), (.closed, false),
          ])
    func resolutionClock(status: TicketStatus, runs: Bool) {
        #expect(TicketLifecycle.resolutionClockRuns(in: status) == runs)
    }

    @Test("statuses and priorities encode as their wire names")
    func wireNames() throws {
        let encoded = try JSONEncoder().encode([TicketStatus.onHold, .new])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["on_hold","new"]"#)
        #expect(try JSONDecoder().decode(TicketPriority.self, from: Data(#""urgent""#.utf8)) == .urgent)
    }

    @Test("priorities order by urgency, not by name")
    func priorityOrder() {
        #expect(TicketPriority.allCases.sorted() == [.low, .normal, .high, .urgent])
        #expect(TicketPriority.high < .urgent)
        #expect(TicketPriority.low < .high)  // "high" < "low" by name
        #expect(TicketPriority.allCases.max() == .urgent)
    }
}
