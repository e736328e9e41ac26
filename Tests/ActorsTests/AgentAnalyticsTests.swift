@testable import Actors
import Store
import Testing

/// Agent figures folded from ticket and chat events.
@Suite("Agent analytics")
struct AgentAnalyticsTests {
    private func event(_ topic: String, _ offset: Int64, _ name: String, _ data: String, at seconds: Int64) -> StoredEvent {
        StoredEvent(topic: topic, offset: offset, epoch: "e", name: name, data: data, timeMilliseconds: seconds * 1000)
    }

    private func ticket(_ id: String, createdAt created: Int64, agent: String, respondedAt responded: Int64, solvedAt solved: Int64?) -> [StoredEvent] {
        let topic = "ticket:\(id)"
        var events = [
            event(topic, 1, "ticket.created", #"{"subject":"s","body":"b","queue":"q","priority":"normal","tags":[]}"#, at: created),
            event(topic, 2, "ticket.assigned", #"{"assignee":"\#(agent)"}"#, at: created),
            event(topic, 3, "comment.created", #"{"author":"\#(agent)","body":"note","internal":true,"staff":true}"#, at: created + 1),
            event(topic, 4, "comment.created", #"{"author":"\#(agent)","body":"hi","internal":false,"staff":true}"#, at: responded),
            event(topic, 5, "comment.created", #"{"author":"\#(agent)","body":"again","internal":false,"staff":true}"#, at: responded + 100),
        ]
        if let solved {
            events.append(event(topic, 6, "ticket.status_changed", #"{"from":"open","to":"solved"}"#, at: solved))
        }
        return events
    }

    @Test func countsWhatHappenedInTheWindowAndTimesFromCreation() {
        var analytics = AgentAnalytics(from: 1_000_000_000, to: 2_000_000_000)
        var events: [StoredEvent] = []
        // Ten tickets for ana: first responses after 10..100 s, solved after 1000..10000 s
        for n in 1...10 {
            let created = 1_000_000 + Int64(n) * 20_000
            events += ticket("A\(n)", createdAt: created, agent: "ana", respondedAt: created + Int64(n) * 10, solvedAt: created + Int64(n) * 1000)
        }
        // bo: one ticket created before the window, answered and solved in it, and breached in it
        events += ticket("B1", createdAt: 900_000, agent: "bo", respondedAt: 1_000_500, solvedAt: 1_001_000)
        events.append(event("ticket:B1", 7, "ticket.sla_breached", #"{"target":"resolution","due":"x"}"#, at: 1_000_900))
        // bo: a ticket entirely after the window counts nothing
        events += ticket("B2", createdAt: 2_100_000, agent: "bo", respondedAt: 2_100_010, solvedAt: 2_100_020)
        // a chat closed while bo held it, after a transfer from ana
        events += [
            event("chat:C1", 1, "chat.created", #"{"queue":"q","customer":"c"}"#, at: 1_500_000),
            event("chat:C1", 2, "chat.assigned", #"{"agent":"ana"}"#, at: 1_500_000),
            event("chat:C1", 3, "chat.assigned", #"{"agent":"bo","previous":"ana"}"#, at: 1_500_010),
            event("chat:C1", 4, "chat.closed", #"{"by":"c"}"#, at: 1_500_100),
        ]
        for event in events { analytics.add(event) }

        let report = analytics.report
        #expect(report.map(\.agent) == ["ana", "bo"])
        let ana = report[0]
        #expect(ana.ticketsAssigned == 10)
        #expect(ana.ticketsSolved == 10)
        #expect(ana.firstResponse == DurationSummary([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map { $0 * 1000 }))
        #expect(ana.firstResponse?.medianSeconds == 50)
        #expect(ana.firstResponse?.p90Seconds == 90)
        #expect(ana.resolution?.medianSeconds == 5000)
        #expect(ana.chatsHandled == 0)
        let bo = report[1]
        #expect(bo.ticketsAssigned == 0, "assigned before the window")
        #expect(bo.ticketsSolved == 1)
        #expect(bo.resolution?.medianSeconds == 101_000, "timed from creation, before the window")
        #expect(bo.firstResponse?.count == 1)
        #expect(bo.slaBreaches == 1)
        #expect(bo.chatsHandled == 1)
    }

    @Test func nothingInTheWindowIsAnEmptyReport() {
        var analytics = AgentAnalytics(from: 0, to: 10_000)
        for event in ticket("X", createdAt: 100, agent: "ana", respondedAt: 110, solvedAt: 120) { analytics.add(event) }
        #expect(analytics.report.isEmpty)
    }
}
