import Actors
import Channels
import Foundation
import Hummingbird
import Store

/// `/api/v1/support/tickets`: tickets and their comments. Customers reach their own
/// tickets only; staff reach every ticket (see ``SupportDesk``).
extension RESTRoutes {
    func registerSupport(on api: RouterGroup<BasicRequestContext>) {
        let tickets = api.group("/support/tickets")
        tickets.post("") { request, _ in
            let principal = try await authenticate(request)
            let body = try await jsonBody(request)
            let new = NewTicket(
                subject: try body.requiredString("subject"), body: try body.requiredString("body"),
                priority: try body.priority("priority") ?? .normal, queue: try body.requiredString("queue"),
                tags: try body.strings("tags") ?? [], requester: try body.optionalString("requester"))
            let ticket = try await desk { try await hub.support.createTicket(new, by: principal) }
            return try encodeTicket(.created, ticket, for: principal)
        }
        tickets.get("") { request, _ in
            let principal = try await authenticate(request)
            let query = request.uri.queryParameters
            let filter = TicketFilter(
                status: query["status"].map(String.init), queue: query["queue"].map(String.init),
                assignee: query["assignee"].map(String.init), priority: query["priority"].map(String.init))
            let limit = try pageLimit(request)
            let cursor = try query["cursor"].map { try IndexCursor(decoding: String($0)) }
            let page = try await desk {
                try await hub.support.listTickets(filter, after: cursor?.position, limit: limit, for: principal)
            }
            let next = page.count == limit ? page.last.map { IndexCursor(createdMilliseconds: $0.createdMilliseconds, id: $0.id).encoded } : nil
            return try encodeJSON(.ok, TicketPage(tickets: page.map(TicketSummaryBody.init), nextCursor: next))
        }
        tickets.get("/:id") { request, context in
            let principal = try await authenticate(request)
            let id = try ticketID(context)
            let ticket = try await desk { try await hub.support.ticket(id, for: principal) }
            return try encodeTicket(.ok, ticket, for: principal)
        }
        tickets.patch("/:id") { request, context in
            let principal = try await authenticate(request)
            let id = try ticketID(context)
            let body = try await jsonBody(request)
            var changes = TicketChanges(priority: try body.priority("priority"), tags: try body.strings("tags"))
            if let status = try body.optionalString("status") {
                guard let parsed = TicketStatus(rawValue: status) else {
                    throw HubError.invalid("status must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                changes.status = parsed
            }
            switch body["assignee"] {
            case nil: break
            case .null?: changes.assignee = .some(nil)
            case .string(let agent)?: changes.assignee = agent
            default: throw HubError.invalid("assignee must be a string or null")
            }
            let update = changes
            let ticket = try await desk { try await hub.support.updateTicket(id, update, by: principal) }
            return try encodeTicket(.ok, ticket, for: principal)
        }
        tickets.post("/:id/comments") { request, context in
            let principal = try await authenticate(request)
            let id = try ticketID(context)
            let body = try await jsonBody(request)
            let text = try body.requiredString("body")
            let isInternal: Bool
            switch body["internal"] {
            case nil: isInternal = false
            case .bool(let value)?: isInternal = value
            default: throw HubError.invalid("internal must be true or false")
            }
            let ticket = try await desk { try await hub.support.comment(id, body: text, isInternal: isInternal, by: principal) }
            return try encodeTicket(.created, ticket, for: principal)
        }
        tickets.get("/:id/comments") { request, context in
            let principal = try await authenticate(request)
            let id = try ticketID(context)
            _ = try await desk { try await hub.support.ticket(id, for: principal) }
            let topic = TopicName("ticket:" + id)!
            let events: [StoredEvent]
            do throws(ChannelError) {
                events = try await hub.topics.history(
                    of: topic, since: TopicPosition(epoch: "", offset: 0), limit: 1000, includingStaffEvents: principal.isStaff).1
            } catch {
                throw HubError(error)
            }
            let comments = events.filter { $0.name == "comment.created" || $0.name == "ticket.created" }
            return json(.ok, "{\"comments\":[" + comments.map(ChannelFrames.eventObject).joined(separator: ",") + "]}")
        }
    }

    /// `GET /support/analytics/agents?from=&to=`: per-agent figures (default: the last 7 days).
    func registerAnalytics(on api: RouterGroup<BasicRequestContext>) {
        api.get("/support/analytics/agents") { request, _ in
            let principal = try await authenticate(request)
            let query = request.uri.queryParameters
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let to = try milliseconds(query["to"], name: "to") ?? now
            let from = try milliseconds(query["from"], name: "from") ?? to - 7 * 24 * 3_600_000
            let agents = try await desk { try await hub.support.agentAnalytics(from: from, to: to, by: principal) }
            return try encodeJSON(.ok, AnalyticsBody(
                from: JSONText.timestamp(milliseconds: from), to: JSONText.timestamp(milliseconds: to), agents: agents))
        }
    }

    private func ticketID(_ context: BasicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), TopicName("ticket:" + id) != nil else { throw HubError.badRequest("invalid ticket id") }
        return id
    }

    /// Runs a desk call, mapping its error onto the wire.
    func desk<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EntityError {
            throw HubError(error)
        }
    }

    private func encodeTicket(_ status: HTTPResponse.Status, _ ticket: Ticket.State, for principal: Principal) throws -> Response {
        try encodeJSON(status, TicketBody(ticket, showNotes: principal.isStaff))
    }
}

/// A ticket as the API shows it.
struct TicketBody: Encodable {
    var id: String
    var topic: String
    var subject: String
    var queue: String
    var priority: String
    var status: String
    var requester: String?
    var assignee: String?
    var tags: [String]
    var comments: Int
    var notes: Int?
    var createdAt: String
    var updatedAt: String

    init(_ state: Ticket.State, showNotes: Bool) {
        id = state.id
        topic = "ticket:" + state.id
        subject = state.subject
        queue = state.queue
        priority = state.priority.rawValue
        status = state.status.rawValue
        requester = state.requester
        assignee = state.assignee
        tags = state.tags
        comments = state.comments
        notes = showNotes ? state.notes : nil
        createdAt = JSONText.timestamp(milliseconds: state.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: state.updatedMilliseconds)
    }
}

/// One row of a ticket list.
struct TicketSummaryBody: Encodable {
    var id, queue, status, priority, subject: String
    var requester, assignee: String?
    var tags: [String]
    var createdAt, updatedAt: String

    init(_ summary: TicketSummary) {
        id = summary.id
        queue = summary.queue
        status = summary.status
        priority = summary.priority
        subject = summary.subject
        requester = summary.requester
        assignee = summary.assignee
        tags = summary.tags
        createdAt = JSONText.timestamp(milliseconds: summary.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: summary.updatedMilliseconds)
    }
}

/// A page of tickets and the cursor of the next page (absent on the last).
struct TicketPage: Encodable {
    var tickets: [TicketSummaryBody]
    var nextCursor: String?
}

/// `/api/v1/support/sla-policies`: the SLA policies tickets are measured against.
extension RESTRoutes {
    func registerSLAPolicies(on api: RouterGroup<BasicRequestContext>) {
        api.put("/support/sla-policies/:name") { request, context in
            let principal = try await authenticate(request)
            var policy = try await decodeBody(
                request, as: SLAPolicyBody.self,
                invalid: "an SLA policy needs priority, first_response_seconds, next_response_seconds and resolution_seconds (whole seconds), and optionally queue and business_hours {timezone, weekly}"
            ).policy
            policy.name = context.parameters.get("name") ?? ""
            let saved = policy
            try await desk { try await hub.support.saveSLAPolicy(saved, by: principal) }
            return try encodeJSON(.ok, saved)
        }
        api.put("/support/queues/:queue") { request, context in
            let principal = try await authenticate(request)
            let settings = try await decodeBody(
                request, as: QueueSettings.self,
                invalid: "a queue needs assignment {mode: manual|round_robin|least_loaded, capacity}, and optionally agents: [ids]")
            let queue = context.parameters.get("queue") ?? ""
            try await desk { try await hub.support.saveQueue(queue, settings, by: principal) }
            hub.chats.requestHandout(queue: queue)  // more room, or a policy that now hands out
            return try encodeJSON(.ok, settings)
        }
        api.get("/support/sla-policies") { request, _ in
            let principal = try await authenticate(request)
            guard principal.isStaff else { throw HubError.forbidden("SLA policies are for staff") }
            let policies = try await desk { try await hub.support.slaPolicies() }
            return try encodeJSON(.ok, ["policies": policies])
        }
    }
}

/// The body of `PUT /support/sla-policies/{name}` (the name comes from the path).
private struct SLAPolicyBody: Decodable {
    var priority: TicketPriority
    var queue: String?
    var firstResponseSeconds: Int
    var nextResponseSeconds: Int
    var resolutionSeconds: Int
    var businessHours: BusinessHours?

    enum CodingKeys: String, CodingKey {
        case priority, queue, firstResponseSeconds, nextResponseSeconds, resolutionSeconds, businessHours
    }

    var policy: SLAPolicy {
        SLAPolicy(
            name: "", priority: priority, queue: queue, firstResponseSeconds: firstResponseSeconds,
            nextResponseSeconds: nextResponseSeconds, resolutionSeconds: resolutionSeconds, businessHours: businessHours)
    }
}

/// The answer of `GET /support/analytics/agents`.
private struct AnalyticsBody: Encodable {
    var from, to: String
    var agents: [AgentReport]
}
