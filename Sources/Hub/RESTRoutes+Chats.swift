import Actors
import Channels
import Hummingbird
import Store

/// `/api/v1/support/chats`: live chats. A customer opens and reaches their own chats;
/// staff reach the chats of the queues they work (see ``ChatDesk``).
extension RESTRoutes {
    func registerChats(on api: RouterGroup<BasicRequestContext>) {
        let chats = api.group("/support/chats")
        chats.post("") { request, _ in
            let principal = try await authenticate(request)
            let body = try await jsonBody(request)
            let new = NewChat(
                queue: try body.optionalString("queue"), subject: try body.optionalString("subject"),
                customer: try body.optionalString("customer"))
            let chat = try await desk { try await hub.chats.createChat(new, by: principal) }
            return try encodeJSON(.created, ChatBody(chat))
        }
        chats.get("") { request, _ in
            let principal = try await authenticate(request)
            let query = request.uri.queryParameters
            let filter = ChatFilter(
                status: query["status"].map(String.init), queue: query["queue"].map(String.init),
                agent: query["agent"].map(String.init))
            let limit = try pageLimit(request)
            let cursor = try query["cursor"].map { try IndexCursor(decoding: String($0)) }
            let page = try await desk { try await hub.chats.listChats(filter, after: cursor?.position, limit: limit, for: principal) }
            let next = page.count == limit ? page.last.map { IndexCursor(createdMilliseconds: $0.createdMilliseconds, id: $0.id).encoded } : nil
            return try encodeJSON(.ok, ChatPage(chats: page.map(ChatSummaryBody.init), nextCursor: next))
        }
        chats.get("/:id") { request, context in
            let principal = try await authenticate(request)
            let chat = try await desk { try await hub.chats.chat(try chatID(context), for: principal) }
            return try encodeJSON(.ok, ChatBody(chat))
        }
        chats.get("/:id/messages") { request, context in
            let principal = try await authenticate(request)
            let id = try chatID(context)
            let since = try request.uri.queryParameters["since"].map { text -> Int64 in
                guard let offset = Int64(text), offset >= 0 else { throw HubError.badRequest("since must be a non-negative integer") }
                return offset
            } ?? 0
            let limit = try pageLimit(request, upTo: ClientFrame.maxHistoryLimit, default: 100)
            let (messages, next) = try await desk { try await hub.chats.transcript(id, after: since, limit: limit, for: principal) }
            return json(.ok, "{\"messages\":[" + messages.map(ChannelFrames.eventObject).joined(separator: ",") + "],"
                + "\"next_since\":\(next.map(String.init) ?? "null")}")
        }
        chats.post("/:id/messages") { request, context in
            let principal = try await authenticate(request)
            let id = try chatID(context)
            let text = try await jsonBody(request).requiredString("text")
            let key = try idempotencyKey(request)
            let event = try await desk { try await hub.chats.post(id, text: text, key: key, by: principal) }
            return json(.created, ChannelFrames.eventObject(event))
        }
        chats.post("/:id/read") { request, context in
            let principal = try await authenticate(request)
            let id = try chatID(context)
            guard case .integer(let offset)? = try await jsonBody(request)["offset"], offset > 0 else {
                throw HubError.invalid("offset is required: the offset of the last event read, from 1")
            }
            let marked = try await desk { try await hub.chats.markRead(id, through: offset, by: principal) }
            return json(.ok, "{\"offset\":\(marked)}")
        }
        chats.post("/:id/transfer") { request, context in
            let principal = try await authenticate(request)
            let id = try chatID(context)
            let agent = try await jsonBody(request).requiredString("agent")
            let chat = try await desk { try await hub.chats.transfer(id, to: agent, by: principal) }
            return try encodeJSON(.ok, ChatBody(chat))
        }
        chats.post("/:id/close") { request, context in
            let principal = try await authenticate(request)
            let chat = try await desk { try await hub.chats.close(try chatID(context), by: principal) }
            return try encodeJSON(.ok, ChatBody(chat))
        }
        chats.post("/:id/assist") { request, context in
            let principal = try await authenticate(request)
            let assist = try await desk { try await hub.chats.assist(try chatID(context), by: principal) }
            return try encodeJSON(.ok, AssistBody(assist))
        }
        chats.post("/:id/escalate") { request, context in
            let principal = try await authenticate(request)
            let id = try chatID(context)
            let body = try await jsonBody(request)
            let priority = try body.priority("priority") ?? .normal
            let subject = try body.optionalString("subject")
            let (chat, ticket) = try await desk { try await hub.chats.escalate(id, priority: priority, subject: subject, by: principal) }
            return try encodeJSON(.created, EscalationBody(chat: ChatBody(chat), ticket: TicketBody(ticket, showNotes: true)))
        }
    }

    private func chatID(_ context: BasicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), TopicName("chat:" + id) != nil else { throw HubError.badRequest("invalid chat id") }
        return id
    }
}

/// One row of a chat list.
struct ChatSummaryBody: Encodable {
    var id, queue, status, customer: String
    var subject, agent, ticket: String?
    var createdAt, updatedAt: String

    init(_ summary: ChatSummary) {
        id = summary.id
        queue = summary.queue
        status = summary.status
        customer = summary.customer
        subject = summary.subject
        agent = summary.agent
        ticket = summary.ticket
        createdAt = JSONText.timestamp(milliseconds: summary.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: summary.updatedMilliseconds)
    }
}

/// A page of chats and the cursor of the next page (absent on the last).
struct ChatPage: Encodable {
    var chats: [ChatSummaryBody]
    var nextCursor: String?
}

/// What the assistant offers an agent: a draft (null without a provider or when it failed,
/// then `error` says why) and matching articles.
struct AssistBody: Encodable {
    struct Failure: Encodable {
        var code, message: String
    }

    var draft: String?
    var articles: [SearchResultBody]
    var error: Failure?

    init(_ assist: ReplyAssist) {
        draft = assist.draft
        articles = assist.articles.map(SearchResultBody.init)
        error = assist.failure.map { Failure(code: $0.code, message: $0.message) }
    }
}
