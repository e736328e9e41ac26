import Foundation
@testable import Hub
import Testing

/// Support tickets over REST and real WebSockets: a customer, two agents.
@Suite("Support tickets")
struct TicketTests {
    func create(_ hub: TestHub, token: String, queue: String = "billing", subject: String = "Refund") async throws -> String {
        let created = try await http(
            .POST, hub.baseURL + "/api/v1/support/tickets", token: token,
            body: #"{"subject":"\#(subject)","body":"I was charged twice","priority":"high","queue":"\#(queue)"}"#)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json?["status"] == .string("new"))
        return try #require(created.json?["id"]?.string)
    }

    @Test func aCustomerAndTwoAgentsWorkATicketAndNotesNeverReachTheCustomer() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let agentToken = try await hub.token("agent-1", [.agent])
            let otherAgentToken = try await hub.token("agent-2", [.agent])
            let queueWatcher = SocketClient(url: hub.webSocketURL, token: otherAgentToken)
            _ = try await queueWatcher.subscribe(1, "tickets:billing")

            // A customer opens a ticket; it names them as requester whatever they send
            let id = try await create(hub, token: customerToken)
            let shown = try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(id)", token: customerToken)
            #expect(shown.json?["requester"] == .string("cust-1"))
            #expect(shown.json?["notes"] == nil, "customers do not see the notes count")
            #expect(try await queueWatcher.next { $0["name"] == .string("ticket.created") }["data"]?["ticket"] == .string(id))

            let customer = SocketClient(url: hub.webSocketURL, token: try await hub.token("cust-1", [.customer], topics: ["ticket:\(id)"]))
            _ = try await customer.subscribe(1, "ticket:\(id)")

            // Agents open and assign it, note internally, and reply
            let patched = try await http(
                .PATCH, hub.baseURL + "/api/v1/support/tickets/\(id)", token: agentToken,
                body: #"{"status":"open","assignee":"agent-1"}"#)
            #expect(patched.json?["status"] == .string("open"))
            #expect(patched.json?["assignee"] == .string("agent-1"))
            let note = try await http(
                .POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: agentToken,
                body: #"{"body":"customer is a VIP","internal":true}"#)
            #expect(note.status == 201)
            let reply = try await http(
                .POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: otherAgentToken,
                body: #"{"body":"We refunded you"}"#)
            #expect(reply.json?["comments"] == .integer(2))
            #expect(reply.json?["notes"] == .integer(1))

            // The customer sees the changes and the reply live, never the note
            let live = try await customer.events(3)
            #expect(live.compactMap { $0["name"]?.string } == ["ticket.assigned", "ticket.status_changed", "comment.created"])
            #expect(live.last?["data"]?["body"] == .string("We refunded you"))
            let customerComments = try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: customerToken)
            #expect(customerComments.json?["comments"]?.array?.count == 2)
            #expect(!customerComments.text.contains("VIP"))
            let agentComments = try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: agentToken)
            #expect(agentComments.json?["comments"]?.array?.count == 3)
            let note2 = try await queueWatcher.next { $0["data"]?["data"]?["internal"] == .bool(true) }
            #expect(note2["data"]?["data"]?["body"] == .string("customer is a VIP"), "agents see notes on the queue stream")

            // Solved, then a customer reply reopens it
            _ = try await http(.PATCH, hub.baseURL + "/api/v1/support/tickets/\(id)", token: agentToken, body: #"{"status":"solved"}"#)
            let reopened = try await http(
                .POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: customerToken, body: #"{"body":"Still charged"}"#)
            #expect(reopened.json?["status"] == .string("open"))
        }
    }

    @Test func agentsWorkATicketWithWebSocketCommands() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let id = try await create(hub, token: customerToken)
            let agent = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-1", [.agent]))
            let customer = SocketClient(url: hub.webSocketURL, token: try await hub.token("cust-1", [.customer], topics: ["ticket:\(id)"]))
            _ = try await customer.subscribe(1, "ticket:\(id)")

            let target = "\"target\":\"ticket:\(id)\""
            let opened = try await agent.request(1, #"{"op":"command","id":1,\#(target),"name":"ticket.set_status","args":{"status":"open"}}"#)
            #expect(opened["result"]?["status"] == .string("open"))
            let assigned = try await agent.request(2, #"{"op":"command","id":2,\#(target),"name":"ticket.assign","args":{"assignee":"agent-1"}}"#)
            #expect(assigned["result"]?["assignee"] == .string("agent-1"))
            _ = try await agent.request(3, #"{"op":"command","id":3,\#(target),"name":"ticket.note","args":{"body":"internal only"}}"#)
            let replied = try await agent.request(4, #"{"op":"command","id":4,\#(target),"name":"ticket.reply","args":{"body":"on it"}}"#)
            #expect(replied["result"]?["notes"] == .integer(1))
            let refused = try await customer.request(2, #"{"op":"command","id":2,\#(target),"name":"ticket.note","args":{"body":"x"}}"#)
            #expect(refused["error"]?["code"] == .string("forbidden"))

            let live = try await customer.events(3)
            #expect(live.compactMap { $0["name"]?.string } == ["ticket.status_changed", "ticket.assigned", "comment.created"])
            #expect(live.last?["data"]?["body"] == .string("on it"))
        }
    }

    @Test func slaAlertsFireOnSecondScaleTargetsAlsoAfterARestart() async throws {
        let data = TestHub.temporaryDirectory()
        let first = try await TestHub.start(dataDirectory: data)
        let adminToken = try await first.token("boss", [.admin])
        let policy = try await http(
            .PUT, first.baseURL + "/api/v1/support/sla-policies/fast", token: adminToken,
            body: #"{"priority":"high","queue":"billing","first_response_seconds":1,"next_response_seconds":60,"resolution_seconds":600}"#)
        #expect(policy.status == 200, "\(policy.text)")
        let agentToken = try await first.token("agent-1", [.agent])
        #expect(try await http(.PUT, first.baseURL + "/api/v1/support/sla-policies/x", token: agentToken, body: "{}").status == 422)
        #expect(try await http(
            .PUT, first.baseURL + "/api/v1/support/sla-policies/x", token: agentToken,
            body: #"{"priority":"high","first_response_seconds":1,"next_response_seconds":1,"resolution_seconds":1}"#).status == 403)

        // A ticket that nobody answers warns at 80% of its first-response target, then breaches
        let watcher = SocketClient(url: first.webSocketURL, token: agentToken)
        _ = try await watcher.subscribe(1, "tickets:billing")
        let answered = try await create(first, token: agentToken)
        let warning = try await watcher.next { $0["name"] == .string("ticket.sla_warning") }
        #expect(warning["data"]?["data"]?["target"] == .string("first_response"))
        let breach = try await watcher.next { $0["name"] == .string("ticket.sla_breached") }
        #expect(breach["data"]?["ticket"] == .string(answered))

        // A ticket created just before a restart breaches after it
        let waiting = try await create(first, token: agentToken)
        try await first.stop()
        try await Task.sleep(for: .milliseconds(1500))
        try await withHub({ $0.dataDirectory = data }) { hub in
            let token = try await hub.token("agent-1", [.agent])
            var names: [String] = []
            for _ in 0..<50 where !names.contains("ticket.sla_breached") {
                try await Task.sleep(for: .milliseconds(100))
                let history = try await http(.GET, hub.baseURL + "/api/v1/topics/ticket:\(waiting)/events?since=0", token: token)
                names = history.json?["events"]?.array?.compactMap { $0["name"]?.string } ?? []
            }
            #expect(names.filter { $0 == "ticket.sla_breached" }.count == 1, "\(names)")
            #expect(names.contains("ticket.sla_applied"))
        }
    }

    @Test func newTicketsGoToOnlineAgentsByTheQueuePolicy() async throws {
        try await withHub { hub in
            let adminToken = try await hub.token("boss", [.admin])
            let agents = try await ["agent-a", "agent-b"].asyncMap { name in
                let client = SocketClient(url: hub.webSocketURL, token: try await hub.token(name, [.agent]))
                _ = try await client.subscribe(1, "tickets:billing")
                return client
            }
            let queue = hub.baseURL + "/api/v1/support/queues/billing"
            #expect(try await http(.PUT, queue, token: try await hub.token("agent-a", [.agent]), body: #"{"assignment":{"mode":"manual"}}"#).status == 403)
            #expect(try await http(.PUT, queue, token: adminToken, body: #"{"assignment":{"mode":"round_robin"}}"#).status == 422)

            // Round-robin among the two online agents, each taking at most 2 open tickets
            #expect(try await http(.PUT, queue, token: adminToken, body: #"{"assignment":{"mode":"round_robin","capacity":2}}"#).status == 200)
            var assignees: [String?] = []
            for _ in 0..<5 {
                let id = try await create(hub, token: adminToken)
                assignees.append(try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(id)", token: adminToken).json?["assignee"]?.string)
            }
            #expect(assignees == ["agent-a", "agent-b", "agent-a", "agent-b", nil], "the fifth finds both at capacity")

            // Manual: nobody is assigned
            _ = try await http(.PUT, queue, token: adminToken, body: #"{"assignment":{"mode":"manual"}}"#)
            let manual = try await create(hub, token: adminToken)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(manual)", token: adminToken).json?["assignee"] == nil)
            _ = agents
        }
    }

    @Test func ticketsOpenedAtOnceNeverTakeAnAgentOverCapacity() async throws {
        try await withHub { hub in
            // Given one agent online on a queue at one ticket per agent
            let admin = try await hub.token("boss", [.admin])
            let queue = hub.baseURL + "/api/v1/support/queues/billing"
            #expect(try await http(.PUT, queue, token: admin, body: #"{"assignment":{"mode":"round_robin","capacity":1}}"#).status == 200)
            let agent = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-a", [.agent]))
            _ = try await agent.subscribe(1, "tickets:billing")

            // When eight tickets are opened at once
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await self.create(hub, token: admin) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // Then exactly one went to the agent
            let assignees = try await ids.asyncMap { id in
                try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(id)", token: admin).json?["assignee"]?.string
            }
            #expect(assignees.compactMap { $0 } == ["agent-a"])
        }
    }

    @Test func anAgentWithAQueuesClaimWorksOnlyThoseQueues() async throws {
        try await withHub { hub in
            let supervisorToken = try await hub.token("sup", [.supervisor])
            let billing = try await create(hub, token: supervisorToken, queue: "billing")
            let shipping = try await create(hub, token: supervisorToken, queue: "shipping")
            let agentToken = try await hub.token("agent-b", [.agent], queues: ["billing"])
            let base = hub.baseURL + "/api/v1/support/tickets"

            #expect(try await http(.GET, base + "/\(billing)", token: agentToken).status == 200)
            #expect(try await http(.GET, base + "/\(shipping)", token: agentToken).status == 403)
            #expect(try await http(.PATCH, base + "/\(shipping)", token: agentToken, body: #"{"status":"open"}"#).status == 403)
            #expect(try await http(.POST, base + "/\(shipping)/comments", token: agentToken, body: #"{"body":"x"}"#).status == 403)
            let listed = try await http(.GET, base, token: agentToken)
            #expect(listed.json?["tickets"]?.array?.compactMap { $0["id"]?.string } == [billing])
            #expect(try await http(.GET, base + "?queue=shipping", token: agentToken).status == 403)

            let agent = SocketClient(url: hub.webSocketURL, token: agentToken)
            let refused = try await agent.request(1, #"{"op":"subscribe","id":1,"topic":"tickets:shipping"}"#)
            #expect(refused["error"]?["code"] == .string("forbidden"))
            let allowed = try await agent.request(2, #"{"op":"subscribe","id":2,"topic":"tickets:billing"}"#)
            #expect(allowed["ok"] == .bool(true))
            let otherTicket = try await agent.request(3, #"{"op":"subscribe","id":3,"topic":"ticket:\#(shipping)"}"#)
            #expect(otherTicket["error"]?["code"] == .string("forbidden"))
            _ = try await agent.subscribe(4, "ticket:\(billing)")
            // A supervisor works every queue
            #expect(try await http(.GET, base + "/\(shipping)", token: supervisorToken).status == 200)
        }
    }

    @Test func theConfigurationGivesQueuesToAgentsWithoutAClaim() async throws {
        try await withHub({ $0.agentQueues = ["agent-c": ["shipping"]] }) { hub in
            let supervisorToken = try await hub.token("sup", [.supervisor])
            let billing = try await create(hub, token: supervisorToken, queue: "billing")
            let shipping = try await create(hub, token: supervisorToken, queue: "shipping")
            let base = hub.baseURL + "/api/v1/support/tickets"
            let configured = try await hub.token("agent-c", [.agent])
            #expect(try await http(.GET, base + "/\(shipping)", token: configured).status == 200)
            #expect(try await http(.GET, base + "/\(billing)", token: configured).status == 403)
            let claimed = try await hub.token("agent-c", [.agent], queues: ["billing"])
            #expect(try await http(.GET, base + "/\(billing)", token: claimed).status == 200, "a claim wins")
            let unlisted = try await hub.token("agent-d", [.agent])
            #expect(try await http(.GET, base + "/\(billing)", token: unlisted).status == 200)
        }
    }

    @Test func everyRefusal() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let strangerToken = try await hub.token("cust-2", [.customer])
            let agentToken = try await hub.token("agent-1", [.agent])
            let id = try await create(hub, token: customerToken)
            let base = hub.baseURL + "/api/v1/support/tickets"

            #expect(try await http(.GET, base + "/\(id)", token: strangerToken).status == 403)
            #expect(try await http(.POST, base + "/\(id)/comments", token: strangerToken, body: #"{"body":"hi"}"#).status == 403)
            #expect(try await http(.POST, base + "/\(id)/comments", token: customerToken, body: #"{"body":"x","internal":true}"#).status == 403)
            #expect(try await http(.PATCH, base + "/\(id)", token: customerToken, body: #"{"status":"solved"}"#).status == 403)
            #expect(try await http(.GET, base + "/T-NOSUCHTICKET", token: agentToken).status == 404)
            #expect(try await http(.GET, base + "/\(id)").status == 401)

            let backwards = try await http(.PATCH, base + "/\(id)", token: agentToken, body: #"{"status":"closed"}"#)
            #expect(backwards.status == 409, "new cannot go straight to closed")
            #expect(backwards.errorCode == .string("conflict"))
            for body in [
                #"{"subject":"","body":"b","queue":"q"}"#, #"{"subject":"s","body":"b","queue":"Bad Queue"}"#,
                #"{"subject":"s","body":"b","queue":"q","priority":"whenever"}"#, #"{"subject":"s","body":"  ","queue":"q"}"#,
                #"{"body":"b","queue":"q"}"#,
            ] {
                let refused = try await http(.POST, base, token: customerToken, body: body)
                #expect(refused.status == 422, "\(body): \(refused.text)")
            }
            #expect(try await http(.PATCH, base + "/\(id)", token: agentToken, body: #"{"status":"sideways"}"#).status == 422)
            #expect(try await http(.PATCH, base + "/\(id)", token: agentToken, body: "{}").status == 422)
        }
    }

    @Test func ticketsSurviveARestartAndPageByFilter() async throws {
        let data = TestHub.temporaryDirectory()
        var ids: [String] = []
        let first = try await TestHub.start(dataDirectory: data)
        let agentToken = try await first.token("agent-1", [.agent])
        for (queue, subject) in [("billing", "one"), ("billing", "two"), ("shipping", "three")] {
            ids.append(try await create(first, token: agentToken, queue: queue, subject: subject))
        }
        _ = try await http(.PATCH, first.baseURL + "/api/v1/support/tickets/\(ids[0])", token: agentToken, body: #"{"status":"pending","tags":["vip"]}"#)
        try await first.stop()

        try await withHub({ $0.dataDirectory = data }) { hub in
            let token = try await hub.token("agent-1", [.agent])
            let ticket = try await http(.GET, hub.baseURL + "/api/v1/support/tickets/\(ids[0])", token: token)
            #expect(ticket.json?["status"] == .string("pending"))
            #expect(ticket.json?["tags"] == .array([.string("vip")]))

            let billing = try await http(.GET, hub.baseURL + "/api/v1/support/tickets?queue=billing&limit=1", token: token)
            #expect(billing.json?["tickets"]?.array?.first?["subject"] == .string("two"), "newest first")
            let cursor = try #require(billing.json?["next_cursor"]?.string)
            let next = try await http(.GET, hub.baseURL + "/api/v1/support/tickets?queue=billing&limit=1&cursor=\(cursor)", token: token)
            #expect(next.json?["tickets"]?.array?.first?["subject"] == .string("one"))
            let pending = try await http(.GET, hub.baseURL + "/api/v1/support/tickets?status=pending", token: token)
            #expect(pending.json?["tickets"]?.array?.count == 1)
            let customerList = try await http(.GET, hub.baseURL + "/api/v1/support/tickets", token: try await hub.token("cust-9", [.customer]))
            #expect(customerList.json?["tickets"]?.array?.isEmpty == true, "a customer lists only their own")
        }
    }

    @Test func twentyThousandTicketsKeepLiveActorsUnderTheirBound() async throws {
        try await withHub({ $0.maxLiveActors = 50 }) { hub in
            let token = try await hub.token("svc", [.service])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for n in 0..<2500 {
                            _ = try await create(hub, token: token, subject: "load \(worker)-\(n)")
                            #expect(hub.server.tickets.liveCount <= 50 + 8)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(hub.server.tickets.liveCount <= 50)
            let all = try await http(.GET, hub.baseURL + "/api/v1/support/tickets?limit=200", token: token)
            #expect(all.json?["tickets"]?.array?.count == 200)
        }
    }

    @Test func aCustomerReplyThatWaitsTooLongBreachesTheNextResponseTarget() async throws {
        try await withHub { hub in
            let policy = try await http(
                .PUT, hub.baseURL + "/api/v1/support/sla-policies/chatty", token: try await hub.token("boss", [.admin]),
                body: #"{"priority":"high","first_response_seconds":600,"next_response_seconds":1,"resolution_seconds":6000}"#)
            #expect(policy.status == 200)
            let customerToken = try await hub.token("cust-1", [.customer])
            let agentToken = try await hub.token("agent-1", [.agent])
            let id = try await create(hub, token: customerToken)
            let watcher = SocketClient(url: hub.webSocketURL, token: agentToken)
            _ = try await watcher.subscribe(1, "ticket:\(id)")
            _ = try await http(.POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: agentToken, body: #"{"body":"Looking"}"#)
            _ = try await http(.POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: customerToken, body: #"{"body":"Any news?"}"#)
            let breach = try await watcher.next { $0["name"] == .string("ticket.sla_breached") }
            #expect(breach["data"]?["target"] == .string("next_response"))
        }
    }

    @Test func agentAnalyticsComeFromStoredEvents() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer])
            let agentToken = try await hub.token("agent-1", [.agent])
            let supervisorToken = try await hub.token("sup", [.supervisor])
            for _ in 0..<2 {
                let id = try await create(hub, token: customerToken)
                _ = try await http(.PATCH, hub.baseURL + "/api/v1/support/tickets/\(id)", token: agentToken, body: #"{"assignee":"agent-1","status":"open"}"#)
                _ = try await http(.POST, hub.baseURL + "/api/v1/support/tickets/\(id)/comments", token: agentToken, body: #"{"body":"on it"}"#)
                _ = try await http(.PATCH, hub.baseURL + "/api/v1/support/tickets/\(id)", token: agentToken, body: #"{"status":"solved"}"#)
            }
            let chat = try await http(.POST, hub.baseURL + "/api/v1/support/chats", token: customerToken, body: "{}")
            let chatID = try #require(chat.json?["id"]?.string)
            _ = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chatID)/transfer", token: agentToken, body: #"{"agent":"agent-1"}"#)
            _ = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chatID)/close", token: agentToken)

            let report = try await http(.GET, hub.baseURL + "/api/v1/support/analytics/agents", token: supervisorToken)
            #expect(report.status == 200, "\(report.text)")
            let agent = try #require(report.json?["agents"]?.array?.first)
            #expect(agent["agent"] == .string("agent-1"))
            #expect(agent["tickets_assigned"] == .integer(2))
            #expect(agent["tickets_solved"] == .integer(2))
            #expect(agent["first_response"]?["count"] == .integer(2))
            #expect(agent["resolution"]?["count"] == .integer(2))
            #expect(agent["sla_breaches"] == .integer(0))
            #expect(agent["chats_handled"] == .integer(1))
            let past = try await http(
                .GET, hub.baseURL + "/api/v1/support/analytics/agents?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", token: supervisorToken)
            #expect(past.json?["agents"]?.array?.isEmpty == true)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/analytics/agents", token: agentToken).status == 403)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/analytics/agents?from=yesterday", token: supervisorToken).status == 400)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/analytics/agents?from=2000&to=1000", token: supervisorToken).status == 422)
        }
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
