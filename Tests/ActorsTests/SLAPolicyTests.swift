@testable import Actors
import Foundation
import Testing

@Suite("SLAPolicy")
struct SLAPolicyTests {
    static func policy(
        _ name: String, _ priority: TicketPriority = .normal, queue: String? = nil,
        hours: BusinessHours? = nil
    ) -> SLAPolicy {
        SLAPolicy(
            name: name, priority: priority, queue: queue, firstResponseSeconds: 3600,
            nextResponseSeconds: 7200, resolutionSeconds: 86_400, businessHours: hours)
    }

    @Test("a well-formed policy validates")
    func valid() throws {
        try Self.policy("gold_support-2").validate()
        try Self.policy(String(repeating: "a", count: 64), queue: "billing", hours: BusinessHoursTests.office).validate()
    }

    @Test("bad names are refused", arguments: ["", String(repeating: "a", count: 65), "Gold", "gold support", "gold.1", "göld"])
    func refusesBadName(name: String) {
        #expect(throws: EntityError.self) { try Self.policy(name).validate() }
    }

    @Test("targets must be positive", arguments: [0, -1])
    func refusesNonPositiveTargets(seconds: Int) {
        for path in [\SLAPolicy.firstResponseSeconds, \.nextResponseSeconds, \.resolutionSeconds] {
            var policy = Self.policy("gold")
            policy[keyPath: path] = seconds
            #expect(throws: EntityError.self) { try policy.validate() }
        }
    }

    @Test("an empty queue is refused")
    func refusesEmptyQueue() {
        #expect(throws: EntityError.self) { try Self.policy("gold", queue: "").validate() }
    }

    @Test("invalid business hours are refused")
    func refusesBadHours() {
        let hours = BusinessHours(timezone: "Nowhere/Atlantis", weekly: ["mon": [.init(start: "09:00", end: "17:00")]])
        #expect(throws: EntityError.invalid("unknown time zone \"Nowhere/Atlantis\"")) {
            try Self.policy("gold", hours: hours).validate()
        }
    }

    @Test("the queue's own policy wins over a queue-less one, whatever the order")
    func queuePolicyFirst() {
        let any = Self.policy("a_default")
        let own = Self.policy("z_billing", queue: "billing")
        #expect(SLAPolicy.matching([any, own], priority: .normal, queue: "billing") == own)
        #expect(SLAPolicy.matching([own, any], priority: .normal, queue: "billing") == own)
    }

    @Test("another queue's policy never applies; a queue-less one covers the rest")
    func otherQueueIgnored() {
        let any = Self.policy("default")
        let own = Self.policy("billing", queue: "billing")
        #expect(SLAPolicy.matching([own, any], priority: .normal, queue: "sales") == any)
        #expect(SLAPolicy.matching([own], priority: .normal, queue: "sales") == nil)
    }

    @Test("only the same priority matches")
    func samePriorityOnly() {
        let urgent = Self.policy("urgent", .urgent)
        let normal = Self.policy("normal", .normal, queue: "billing")
        #expect(SLAPolicy.matching([urgent, normal], priority: .urgent, queue: "billing") == urgent)
        #expect(SLAPolicy.matching([urgent, normal], priority: .high, queue: "billing") == nil)
        #expect(SLAPolicy.matching([], priority: .low, queue: "billing") == nil)
    }

    @Test("ties go to the smallest name")
    func tiesByName() {
        let b = Self.policy("b", queue: "billing")
        let a = Self.policy("a", queue: "billing")
        let c = Self.policy("c")
        #expect(SLAPolicy.matching([b, c, a], priority: .normal, queue: "billing") == a)
        #expect(SLAPolicy.matching([Self.policy("y"), Self.policy("x")], priority: .normal, queue: "q")?.name == "x")
    }

    @Test("without business hours a target is calendar time")
    func dueInCalendarTime() {
        let start = instant("2026-03-06T16:00:00+01:00")
        #expect(Self.policy("gold").due(after: 7200, from: start) == instant("2026-03-06T18:00:00+01:00"))
    }

    @Test("with business hours a target skips closed time")
    func dueInBusinessTime() {
        let policy = Self.policy("gold", hours: BusinessHoursTests.office)
        #expect(policy.due(after: 7200, from: instant("2026-03-06T16:00:00+01:00")) == instant("2026-03-09T10:00:00+01:00"))
    }

    @Test("a policy round-trips through JSON, with and without hours")
    func codable() throws {
        for policy in [Self.policy("gold", queue: "billing", hours: BusinessHoursTests.office), Self.policy("silver")] {
            let data = try JSONEncoder().encode(policy)
            #expect(try JSONDecoder().decode(SLAPolicy.self, from: data) == policy)
        }
    }
}
