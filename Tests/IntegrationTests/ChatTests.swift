import Foundation
@testable import Hub
import Testing

/// Live chats over REST and real WebSockets: a customer and two agents.
@Suite("Live chat")
struct ChatTests {
    func openChat(_ hub: TestHub, token: String, queue: String = "sales") async throws -> JSONValue {
        let created = try await http(
            .POST, hub.baseURL + "/api/v1/support/chats", token: token, body: #"{"queue":"\#(queue)","subject":"Pricing"}"#)
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json)
    }

    @Test func aChatIsAssignedTalkedInWithTypingAndReceiptsAndClosed() async throws {
        try await withHub { hub in
            // The sales queue was never configured: chats go round-robin to online agents
            let agentOne = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-1", [.agent]))
            let agentTwo = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-2", [.agent]))
            _ = try await agentOne.subscribe(1, "tickets:sales")
            _ = try await agentTwo.subscribe(1, "tickets:sales")
            let supervisor = SocketClient(url: hub.webSocketURL, token: try await hub.token("sup", [.supervisor]))
            _ = try await supervisor.subscribe(1, "tickets:sales")

            // The customer opens a chat with a token that names no topics; it goes to an online agent
            let customerToken = try await hub.token("cust-1", [.customer])
            let chat = try await openChat(hub, token: customerToken)
            let id = try #require(chat["id"]?.string)
            #expect(chat["topic"] == .string("chat:\(id)"))
            #expect(chat["status"] == .string("open"))
            #expect(chat["customer"] == .string("cust-1"))
            let agentID = try #require(chat["agent"]?.string)
            #expect(["agent-1", "agent-2"].contains(agentID))
            let assigned = try await agentOne.next { $0["name"] == .string("chat.assigned") }
            #expect(assigned["data"]?["chat"] == .string(id))
            #expect(assigned["data"]?["data"]?["agent"] == .string(agentID))
            let second = try await openChat(hub, token: try await hub.token("cust-2", [.customer]))
            #expect(second["agent"]?.string != agentID, "round-robin gives the next chat to the other agent")
            let third = try await openChat(hub, token: try await hub.token("cust-3", [.customer]))
            #expect(third["agent"]?.string == agentID, "and the third back to the first: the supervisor watching is no agent")

            let customer = SocketClient(url: hub.webSocketURL, token: customerToken)
            let agent = agentID == "agent-1" ? agentOne : agentTwo
            _ = try await customer.subscribe(2, "chat:\(id)")
            _ = try await agent.subscribe(2, "chat:\(id)")

            // Messages both ways: WebSocket publish and REST, stamped by the actor
            let sent = try await customer.publish(3, "chat:\(id)", name: "message", data: #"{"text":"How much is it?","author":"someone-else"}"#)
            #expect(sent["ok"] == .bool(true), "\(sent)")
            let heard = try await agent.next { $0["name"] == .string("message.created") }
            #expect(heard["data"]?["author"] == .string("cust-1"))
            #expect(heard["data"]?["text"] == .string("How much is it?"))
            #expect(heard["data"]?["id"]?.string?.hasPrefix("m_") == true)
            let answer = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats/\(id)/messages", token: try await hub.token(agentID, [.agent]),
                body: #"{"text":"10 euros"}"#)
            #expect(answer.status == 201, "\(answer.text)")
            let reply = try await customer.next { $0["name"] == .string("message.created") && $0["data"]?["author"] == .string(agentID) }
            let replyOffset = try #require(reply["offset"]?.int)

            // Typing is a signal, never stored, and at most one per second while typing
            let typing = #"{"op":"command","id":4,"target":"chat:\#(id)","name":"chat.typing","args":{"typing":true}}"#
            #expect(try await agent.request(4, typing)["result"]?["sent"] == .bool(true))
            let signal = try await customer.next { $0["type"] == .string("signal") }
            #expect(signal["name"] == .string("chat.typing"))
            #expect(signal["data"]?["user"] == .string(agentID))
            #expect(try await agent.request(4, typing)["result"]?["sent"] == .bool(false))
            let stop = #"{"op":"command","id":5,"target":"chat:\#(id)","name":"chat.typing","args":{"typing":false}}"#
            #expect(try await agent.request(5, stop)["result"]?["sent"] == .bool(true))

            // A read receipt moves forward only
            let read = #"{"op":"command","id":6,"target":"chat:\#(id)","name":"chat.read","args":{"offset":\#(replyOffset)}}"#
            #expect(try await customer.request(6, read)["result"]?["offset"] == .integer(replyOffset))
            let receipt = try await agent.next { $0["name"] == .string("chat.read") }
            #expect(receipt["data"]?["user"] == .string("cust-1"))
            let backwards = #"{"op":"command","id":7,"target":"chat:\#(id)","name":"chat.read","args":{"offset":1}}"#
            #expect(try await customer.request(7, backwards)["result"]?["offset"] == .integer(replyOffset))

            let history = try await http(.GET, hub.baseURL + "/api/v1/topics/chat:\(id)/events?since=0", token: customerToken)
            #expect(history.json?["events"]?.array?.compactMap { $0["name"]?.string }
                == ["chat.created", "chat.assigned", "message.created", "message.created", "chat.read"])

            // Closing: chat.closed, then every participant is unsubscribed; the transcript stays
            let closed = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/close", token: customerToken)
            #expect(closed.json?["status"] == .string("closed"), "\(closed.text)")
            for client in [customer, agent] {
                _ = try await client.next { $0["name"] == .string("chat.closed") }
                let ended = try await client.next { $0["type"] == .string("unsubscribed") }
                #expect(ended["topic"] == .string("chat:\(id)"))
                #expect(ended["reason"] == .string("chat closed"))
            }
            let late = try await customer.publish(8, "chat:\(id)", name: "message", data: #""anyone?""#)
            #expect(late["error"]?["code"] == .string("conflict"))
            _ = try await customer.subscribe(9, "chat:\(id)")  // the connection forgot the ended subscription
            let transcript = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(id)/messages", token: customerToken)
            #expect(transcript.json?["messages"]?.array?.compactMap { $0["data"]?["text"]?.string } == ["How much is it?", "10 euros"])
        }
    }

    @Test func waitingChatsGoOldestFirstToAnAgentComingOnlineAndAsChatsClose() async throws {
        try await withHub { hub in
            // Given the sales queue at one open chat per agent, and two chats opened while nobody is online
            let admin = try await hub.token("admin", [.admin])
            let settings = try await http(
                .PUT, hub.baseURL + "/api/v1/support/queues/sales", token: admin, body: #"{"assignment":{"mode":"round_robin","capacity":1}}"#)
            #expect(settings.status == 200, "\(settings.text)")
            let first = try await openChat(hub, token: try await hub.token("cust-1", [.customer]))
            let second = try await openChat(hub, token: try await hub.token("cust-2", [.customer]))
            let firstID = try #require(first["id"]?.string), secondID = try #require(second["id"]?.string)
            #expect(first["agent"]?.string == nil && second["agent"]?.string == nil)

            // When an agent comes online on the queue's stream
            let agentToken = try await hub.token("agent-1", [.agent])
            let agent = SocketClient(url: hub.webSocketURL, token: agentToken)
            _ = try await agent.subscribe(1, "tickets:sales")

            // Then the older chat is handed to them, and the other waits: they have room for one
            let handed = try await agent.next { $0["name"] == .string("chat.assigned") }
            #expect(handed["data"]?["chat"] == .string(firstID))
            #expect(handed["data"]?["data"]?["agent"] == .string("agent-1"))
            let waiting = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(secondID)", token: admin)
            #expect(waiting.json?["agent"]?.string == nil, "\(waiting.text)")

            // When they close it, the waiting chat is theirs
            let closed = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(firstID)/close", token: agentToken)
            #expect(closed.status == 200, "\(closed.text)")
            let next = try await agent.next { $0["name"] == .string("chat.assigned") }
            #expect(next["data"]?["chat"] == .string(secondID))
            let taken = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(secondID)", token: admin)
            #expect(taken.json?["agent"] == .string("agent-1"))
        }
    }

    @Test func newQueueSettingsAndATransferHandOutWaitingChatsAndATransferStands() async throws {
        try await withHub { hub in
            // Given a manual queue, an agent online, and a chat that waits for a person
            let admin = try await hub.token("admin", [.admin])
            let queue = hub.baseURL + "/api/v1/support/queues/sales"
            #expect(try await http(.PUT, queue, token: admin, body: #"{"assignment":{"mode":"manual"}}"#).status == 200)
            let agent = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-1", [.agent]))
            _ = try await agent.subscribe(1, "tickets:sales")
            let firstID = try #require(try await openChat(hub, token: try await hub.token("cust-1", [.customer]))["id"]?.string)

            // When the queue turns round-robin at one chat per agent, the waiting chat goes to the agent
            #expect(try await http(.PUT, queue, token: admin, body: #"{"assignment":{"mode":"round_robin","capacity":1}}"#).status == 200)
            let handed = try await agent.next { $0["name"] == .string("chat.assigned") }
            #expect(handed["data"]?["chat"] == .string(firstID))

            // When a second chat waits and the first is transferred away, the agent has room for the second
            let second = try await openChat(hub, token: try await hub.token("cust-2", [.customer]))
            let secondID = try #require(second["id"]?.string)
            #expect(second["agent"]?.string == nil)
            let moved = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats/\(firstID)/transfer", token: admin, body: #"{"agent":"agent-2"}"#)
            #expect(moved.json?["agent"] == .string("agent-2"), "\(moved.text)")
            let next = try await agent.next { $0["name"] == .string("chat.assigned") && $0["data"]?["chat"] == .string(secondID) }
            #expect(next["data"]?["data"]?["agent"] == .string("agent-1"))

            // Then the transfer stands
            let first = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(firstID)", token: admin)
            #expect(first.json?["agent"] == .string("agent-2"))
        }
    }

    @Test func chatsOpenedAtOnceNeverTakeAnAgentOverCapacityAndANewChatWaitsBehindOlderOnes() async throws {
        try await withHub { hub in
            // Given one agent online on a queue at one chat per agent
            let admin = try await hub.token("admin", [.admin])
            let settings = try await http(
                .PUT, hub.baseURL + "/api/v1/support/queues/sales", token: admin, body: #"{"assignment":{"mode":"round_robin","capacity":1}}"#)
            #expect(settings.status == 200)
            let agent = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-1", [.agent]))
            _ = try await agent.subscribe(1, "tickets:sales")

            // When eight customers open chats at once
            let opened = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for n in 0..<8 {
                    group.addTask { try await self.openChat(hub, token: try await hub.token("cust-\(n)", [.customer])) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // Then exactly one got the agent, and the others wait
            #expect(opened.filter { $0["agent"]?.string == "agent-1" }.count == 1)
            let list = try await http(.GET, hub.baseURL + "/api/v1/support/chats?queue=sales&status=open", token: admin)
            let agents = list.json?["chats"]?.array?.compactMap { $0["agent"]?.string } ?? []
            #expect(agents == ["agent-1"], "\(list.text)")
        }
    }

    @Test func onlyParticipantsReachAChat() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let id = try #require(try await openChat(hub, token: customerToken)["id"]?.string)
            let strangerToken = try await hub.token("cust-2", [.customer])
            let salesAgent = try await hub.token("agent-s", [.agent], queues: ["sales"])
            let billingAgent = try await hub.token("agent-b", [.agent], queues: ["billing"])

            let stranger = SocketClient(url: hub.webSocketURL, token: strangerToken)
            let refusedSubscribe = try await stranger.request(1, #"{"op":"subscribe","id":1,"topic":"chat:\#(id)"}"#)
            #expect(refusedSubscribe["error"]?["code"] == .string("forbidden"))
            #expect(refusedSubscribe["error"]?["message"] == .string("not a participant of chat:\(id)"))
            let refusedPost = try await stranger.publish(2, "chat:\(id)", name: "message", data: #""hi""#)
            #expect(refusedPost["error"]?["code"] == .string("forbidden"))
            let refusedTyping = try await stranger.request(3, #"{"op":"command","id":3,"target":"chat:\#(id)","name":"chat.typing","args":{}}"#)
            #expect(refusedTyping["error"]?["code"] == .string("forbidden"))
            for path in ["", "/messages"] {
                #expect(try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(id)\(path)", token: strangerToken).status == 403)
            }
            #expect(try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/close", token: strangerToken).status == 403)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/topics/chat:\(id)/events", token: strangerToken).status == 403)

            let billing = SocketClient(url: hub.webSocketURL, token: billingAgent)
            #expect(try await billing.request(1, #"{"op":"subscribe","id":1,"topic":"chat:\#(id)"}"#)["error"]?["code"] == .string("forbidden"))
            let sales = SocketClient(url: hub.webSocketURL, token: salesAgent)
            _ = try await sales.subscribe(1, "chat:\(id)")

            // Customers neither transfer nor escalate; bad messages are refused with a code
            let transfer = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats/\(id)/transfer", token: customerToken, body: #"{"agent":"agent-s"}"#)
            #expect(transfer.status == 403)
            #expect(try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/escalate", token: customerToken, body: "{}").status == 403)
            let customer = SocketClient(url: hub.webSocketURL, token: customerToken)
            for (n, data) in [#""   ""#, "\"" + String(repeating: "x", count: 4001) + "\"", "42"].enumerated() {
                let reply = try await customer.publish(n + 1, "chat:\(id)", name: "message", data: data)
                #expect(reply["error"]?["code"] == .string("bad_request"), "\(reply)")
            }
            #expect(try await customer.publish(9, "chat:\(id)", name: "shout", data: #""hi""#)["error"]?["code"] == .string("bad_request"))
            #expect(try await customer.publish(10, "ticket:T-1", name: "comment", data: #""hi""#)["error"]?["code"] == .string("bad_request"))
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/chats/C-NOPE", token: customerToken).status == 404)

            // Lists hold a customer's own chats, an agent's queues
            let mine = try await http(.GET, hub.baseURL + "/api/v1/support/chats", token: customerToken)
            #expect(mine.json?["chats"]?.array?.count == 1)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/chats", token: strangerToken).json?["chats"]?.array?.count == 0)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/chats", token: billingAgent).json?["chats"]?.array?.count == 0)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/chats?queue=sales", token: billingAgent).status == 403)
        }
    }

    @Test func aChatIsEscalatedIntoATicketTheCustomerCanFollow() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let agentToken = try await hub.token("agent-1", [.agent])
            let id = try #require(try await openChat(hub, token: customerToken)["id"]?.string)
            let transfer = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats/\(id)/transfer", token: agentToken, body: #"{"agent":"agent-1"}"#)
            #expect(transfer.json?["agent"] == .string("agent-1"))
            _ = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/messages", token: customerToken, body: #"{"text":"My invoice is wrong"}"#)

            let escalated = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats/\(id)/escalate", token: agentToken, body: #"{"priority":"high"}"#)
            #expect(escalated.status == 201, "\(escalated.text)")
            let ticketID = try #require(escalated.json?["ticket"]?["id"]?.string)
            #expect(escalated.json?["ticket"]?["requester"] == .string("cust-1"))
            #expect(escalated.json?["ticket"]?["assignee"] == .string("agent-1"))
            #expect(escalated.json?["chat"]?["ticket"] == .string(ticketID))
            let again = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/escalate", token: agentToken, body: "{}")
            #expect(again.status == 409)

            // The customer follows their ticket without any topics claim; others may not
            let customer = SocketClient(url: hub.webSocketURL, token: customerToken)
            let followed = try await customer.subscribe(1, "ticket:\(ticketID)")
            #expect(followed["events"] != nil)
            let comments = try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(ticketID)/comments", token: customerToken)
            #expect(comments.text.contains("cust-1: My invoice is wrong"))
            let stranger = SocketClient(url: hub.webSocketURL, token: try await hub.token("cust-2", [.customer]))
            #expect(try await stranger.request(1, #"{"op":"subscribe","id":1,"topic":"ticket:\#(ticketID)"}"#)["error"]?["code"] == .string("forbidden"))
        }
    }

    @Test func aRestartMidConversationKeepsTheChatAndItsHistory() async throws {
        let data = TestHub.temporaryDirectory()
        let first = try await TestHub.start(dataDirectory: data)
        let customerToken = try await first.token("cust-1", [.customer])
        let id = try #require(try await openChat(first, token: customerToken)["id"]?.string)
        for text in ["one", "two", "three"] {
            _ = try await http(.POST, first.baseURL + "/api/v1/support/chats/\(id)/messages", token: customerToken, body: #"{"text":"\#(text)"}"#)
        }
        try await first.stop()

        try await withHub({ $0.dataDirectory = data }) { hub in
            let token = try await hub.token("cust-1", [.customer])
            let chat = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(id)", token: token)
            #expect(chat.json?["messages"] == .integer(3), "\(chat.text)")
            let history = try await http(.GET, hub.baseURL + "/api/v1/topics/chat:\(id)/events?limit=1", token: token)
            let epoch = try #require(history.json?["epoch"]?.string)
            let customer = SocketClient(url: hub.webSocketURL, token: token)
            let resumed = try await customer.subscribe(1, "chat:\(id)", since: (2, epoch))
            #expect(resumed["recovered"] == .bool(true))
            #expect(resumed["events"]?.array?.compactMap { $0["data"]?["text"]?.string } == ["two", "three"])
            let sent = try await customer.publish(3, "chat:\(id)", name: "message", data: #""four""#)
            #expect(sent["result"]?["offset"] == .integer(5))
            let transcript = try await http(.GET, hub.baseURL + "/api/v1/support/chats/\(id)/messages", token: token)
            #expect(transcript.json?["messages"]?.array?.compactMap { $0["data"]?["text"]?.string } == ["one", "two", "three", "four"])
        }
    }
}
