import Actors
import Channels
import Foundation
import Store

/// The WebSocket `command`s of chats (`target: "chat:{id}"`), with the permissions of the
/// REST routes: `chat.typing {typing?}` → `{sent}` (an ephemeral `signal` frame, at most
/// one per participant per second while typing; a stop always goes out),
/// `chat.read {offset}` → `{offset}` (the reader's last-read offset in force),
/// `chat.transfer {agent}`, `chat.close` → the chat, and
/// `chat.escalate {priority?, subject?}` → `{chat, ticket}`, `chat.assist` → `{draft, articles,
/// error?}`. Messages are `publish`ed.
struct ChatCommands {
    let chats: ChatDesk

    func perform(chat id: String, name: String, args: JSONValue, by principal: Principal) async throws(HubError) -> String {
        do throws(EntityError) {
            switch name {
            case "chat.typing":
                let typing: Bool
                switch args["typing"] {
                case nil: typing = true
                case .bool(let value)?: typing = value
                default: throw .invalid("chat.typing takes args.typing: true or false")
                }
                let sent = try await chats.typing(id, isTyping: typing, by: principal)
                return "{\"sent\":\(sent)}"
            case "chat.read":
                guard case .integer(let offset)? = args["offset"], offset > 0 else {
                    throw .invalid("chat.read needs args.offset: the offset of the last event read, from 1")
                }
                return "{\"offset\":\(try await chats.markRead(id, through: offset, by: principal))}"
            case "chat.transfer":
                guard case .string(let agent)? = args["agent"] else { throw .invalid("chat.transfer needs args.agent: a string") }
                return try encode(ChatBody(try await chats.transfer(id, to: agent, by: principal)))
            case "chat.close":
                return try encode(ChatBody(try await chats.close(id, by: principal)))
            case "chat.escalate":
                let priority: TicketPriority
                let subject: String?
                do {
                    priority = try args.priority("priority") ?? .normal
                    subject = try args.optionalString("subject")
                } catch {
                    throw .invalid("chat.escalate takes args.priority (low, normal, high, urgent) and args.subject")
                }
                let (chat, ticket) = try await chats.escalate(id, priority: priority, subject: subject, by: principal)
                return try encode(EscalationBody(chat: ChatBody(chat), ticket: TicketBody(ticket, showNotes: true)))
            case "chat.assist":
                return try encode(AssistBody(try await chats.assist(id, by: principal)))
            default:
                throw .notFound("no command \(name.prefix(64)) for chats")
            }
        } catch {
            throw HubError(error)
        }
    }

    private func encode(_ body: some Encodable) throws(EntityError) -> String {
        do { return try snakeCaseJSON(body) } catch { throw .invalid("cannot encode the result") }
    }
}

/// A chat as the API shows it.
struct ChatBody: Encodable {
    var id: String
    var topic: String
    var queue: String
    var subject: String?
    var status: String
    var customer: String
    var agent: String?
    var ticket: String?
    var messages: Int
    /// Each participant's last-read offset (a list: user ids are data, not keys to case-convert).
    var lastRead: [ReadMark]
    var createdAt: String
    var updatedAt: String

    init(_ state: ChatSession.State) {
        id = state.id
        topic = "chat:" + state.id
        queue = state.queue
        subject = state.subject
        status = state.summary.status
        customer = state.customer
        agent = state.agent
        ticket = state.ticket
        messages = state.messages
        lastRead = state.lastRead.sorted { $0.key < $1.key }.map { ReadMark(user: $0.key, offset: $0.value) }
        createdAt = JSONText.timestamp(milliseconds: state.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: state.updatedMilliseconds)
    }
}

/// How far one participant has read.
struct ReadMark: Encodable {
    var user: String
    var offset: Int64
}

/// A chat escalated into a ticket.
struct EscalationBody: Encodable {
    var chat: ChatBody
    var ticket: TicketBody
}
