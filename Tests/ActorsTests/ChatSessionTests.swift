@testable import Actors
import Store
import Testing

/// The chat's state is a pure fold of its events: what replay after a restart rebuilds.
@Suite("Chat session state")
struct ChatSessionTests {
    private var offset: Int64 = 0

    private mutating func event(_ name: String, _ data: String, at time: Int64 = 1_000) -> StoredEvent {
        offset += 1
        return StoredEvent(topic: "chat:C-1", offset: offset, epoch: "e", name: name, data: data, timeMilliseconds: time)
    }

    @Test mutating func foldsMessagesAssignmentReadsEscalationAndClosing() {
        var state = ChatSession.initialState(id: "C-1")
        for event in [
            event("chat.created", #"{"queue":"sales","subject":"Pricing","customer":"cust-1"}"#, at: 1_000),
            event("message.created", #"{"id":"m_1","author":"cust-1","text":"hi","staff":false}"#, at: 2_000),
            event("chat.assigned", #"{"agent":"agent-1"}"#),
            event("message.created", #"{"id":"m_2","author":"agent-1","text":"hello","staff":true}"#, at: 5_000),
            event("message.created", #"{"id":"m_3","author":"agent-1","text":"again","staff":true}"#, at: 6_000),
            event("chat.read", #"{"user":"cust-1","offset":4}"#),
            event("chat.read", #"{"user":"cust-1","offset":2}"#),
            event("chat.escalated", #"{"ticket":"T-9"}"#),
            event("chat.closed", #"{"by":"cust-1"}"#, at: 9_000),
        ] {
            ChatSession.apply(event, to: &state)
        }
        #expect(state.exists)
        #expect(state.queue == "sales")
        #expect(state.customer == "cust-1")
        #expect(state.agent == "agent-1")
        #expect(state.messages == 3)
        #expect(state.firstStaffMessageMilliseconds == 5_000, "the first staff message, not a later one")
        #expect(state.lastRead == ["cust-1": 4], "a read receipt never moves back")
        #expect(state.ticket == "T-9")
        #expect(state.isClosed)
        #expect(state.summary.status == "closed")
        #expect(state.createdMilliseconds == 1_000)
        #expect(state.updatedMilliseconds == 9_000)
    }

    @Test mutating func skipsEventsItDoesNotKnowOrCannotRead() {
        var state = ChatSession.initialState(id: "C-1")
        ChatSession.apply(event("chat.created", "not json"), to: &state)
        ChatSession.apply(event("something.else", "{}"), to: &state)
        #expect(!state.exists)
        #expect(state.messages == 0)
    }
}
