import Foundation
import Testing

@testable import Gateways

@Suite("EventPattern")
struct EventPatternTests {
    @Test(arguments: ["*", "ticket.*", "ticket.created", "chat:message.sent", "a_b-c.9", "ticket*", String(repeating: "a", count: 128)])
    func acceptsValidPatterns(_ text: String) {
        #expect(EventPattern(text)?.rawValue == text)
    }

    @Test(arguments: ["", "Ticket.created", "ticket.*.x", "*.created", "**", "ticket created", "tické", "a/b", String(repeating: "a", count: 129)])
    func refusesInvalidPatterns(_ text: String) {
        #expect(EventPattern(text) == nil)
    }

    @Test func starMatchesEverything() {
        let all = EventPattern("*")!
        #expect(all.matches("ticket.created") && all.matches("x") && all.matches(""))
    }

    @Test func trailingStarMatchesThePrefix() {
        let tickets = EventPattern("ticket.*")!
        #expect(tickets.matches("ticket.created"))
        #expect(tickets.matches("ticket.sla.breached"))
        #expect(!tickets.matches("ticket"))
        #expect(!tickets.matches("tickets.created"))
        #expect(!tickets.matches("chat.ticket.created"))
    }

    @Test func otherPatternsMatchExactly() {
        let created = EventPattern("ticket.created")!
        #expect(created.matches("ticket.created"))
        #expect(!created.matches("ticket.created.v2"))
        #expect(!created.matches("ticket.create"))
    }

    @Test func codesAsAPlainString() throws {
        let data = try JSONEncoder().encode([EventPattern("ticket.*")!])
        #expect(String(decoding: data, as: UTF8.self) == #"["ticket.*"]"#)
        #expect(try JSONDecoder().decode([EventPattern].self, from: data) == [EventPattern("ticket.*")!])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([EventPattern].self, from: Data(#"["Bad"]"#.utf8)) }
    }
}
