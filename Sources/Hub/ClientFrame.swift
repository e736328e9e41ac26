import Channels
import Foundation
import Store

/// One decoded client frame: its optional `id` and the operation it asks for.
///
/// Parsing is pure and total: any text yields either a frame or a ``ClientFrame/Rejection``
/// carrying the `id` when one could be read, so every bad frame gets a precise reply.
struct ClientFrame: Sendable, Equatable {
    enum Operation: Sendable, Equatable {
        case subscribe(TopicName, since: TopicPosition?)
        case unsubscribe(TopicName)
        case publish(TopicName, name: String, data: String, key: String?, audience: EventAudience)
        case history(TopicName, since: TopicPosition?, limit: Int)
        case presence(TopicName)
        case command(target: String, name: String, args: JSONValue)
        case auth(token: String)
        case ping
    }

    /// A frame that could not be accepted, with the id to reply to (nil: none was readable).
    struct Rejection: Error, Equatable {
        var id: JSONValue?
        var error: HubError
    }

    /// The longest event name, idempotency key and command target accepted.
    static let maxNameLength = 128
    /// The most events one `history` returns.
    static let maxHistoryLimit = 1000

    var id: JSONValue?
    var operation: Operation

    static func parse(_ text: String) -> Result<ClientFrame, Rejection> {
        let value: JSONValue, data: String?
        do {
            (value, data) = try JSONParser.parse(text, keepingTextOf: "data")
        } catch {
            return .failure(Rejection(id: nil, error: .badRequest("the frame is not valid JSON")))
        }
        guard case .object(let fields) = value else {
            return .failure(Rejection(id: nil, error: .badRequest("a frame must be a JSON object")))
        }
        var id = fields["id"]
        switch id {
        case nil, .integer?, .string?: break
        case .null?: id = nil
        default: return .failure(Rejection(id: nil, error: .badRequest("id must be an integer or a string")))
        }
        do throws(HubError) {
            let operation = try operation(from: FieldReader(fields: fields), data: data ?? "null")
            if id == nil, case .subscribe(_, since: .some) = operation {
                // The recovered events travel in the reply, which only a frame with an id gets.
                throw .badRequest("a subscribe with since needs an id")
            }
            return .success(ClientFrame(id: id, operation: operation))
        } catch {
            return .failure(Rejection(id: id, error: error))
        }
    }

    /// The `id` of a frame that will not be performed (e.g. too large), when readable.
    static func id(of text: String) -> JSONValue? {
        switch (try? JSONParser.parse(text))?["id"] {
        case .integer(let value)?: return .integer(value)
        case .string(let value)?: return .string(value)
        default: return nil
        }
    }

    /// The operation a frame's fields ask for; `data` is the text of its `data` member.
    private static func operation(from fields: FieldReader, data: String) throws(HubError) -> Operation {
        guard let op = try fields.string("op") else { throw .badRequest("op is required") }
        switch op {
        case "subscribe":
            return .subscribe(try fields.topic(), since: try fields.position("since"))
        case "unsubscribe":
            return .unsubscribe(try fields.topic())
        case "publish":
            guard let name = try fields.string("name"), (1...maxNameLength).contains(name.utf8.count) else {
                throw .badRequest("name is required, 1 to \(maxNameLength) bytes")
            }
            let key = try fields.string("key")
            if let key, !(1...maxNameLength).contains(key.utf8.count) {
                throw .badRequest("key must be 1 to \(maxNameLength) bytes")
            }
            return .publish(
                try fields.topic(), name: name, data: data, key: key,
                audience: try fields.audience())
        case "history":
            let limit = try fields.integer("limit") ?? 100
            guard (1...Int64(maxHistoryLimit)).contains(limit) else {
                throw .badRequest("limit must be from 1 to \(maxHistoryLimit)")
            }
            return .history(try fields.topic(), since: try fields.position("since"), limit: Int(limit))
        case "presence":
            return .presence(try fields.topic())
        case "command":
            guard let target = try fields.string("target"), let name = try fields.string("name"),
                  (1...maxNameLength).contains(target.utf8.count), (1...maxNameLength).contains(name.utf8.count)
            else { throw .badRequest("command needs target and name, 1 to \(maxNameLength) bytes each") }
            return .command(target: target, name: name, args: fields.fields["args"] ?? .null)
        case "auth":
            guard let token = try fields.string("token") else { throw .badRequest("token is required") }
            return .auth(token: token)
        case "ping":
            return .ping
        default:
            throw .badRequest("unknown op \(op.prefix(32))")
        }
    }
}

/// Typed access to a frame's fields, with a `bad_request` naming the field on a mismatch.
private struct FieldReader {
    var fields: [String: JSONValue]

    func string(_ key: String) throws(HubError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw .badRequest("\(key) must be a string")
        }
    }

    /// `audience`: `everyone` (the default) or `staff`.
    func audience() throws(HubError) -> EventAudience {
        guard let text = try string("audience") else { return .everyone }
        guard let audience = EventAudience(rawValue: text) else { throw .badRequest("audience must be everyone or staff") }
        return audience
    }

    func integer(_ key: String) throws(HubError) -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        default: throw .badRequest("\(key) must be an integer")
        }
    }

    func topic() throws(HubError) -> TopicName {
        guard let raw = try string("topic") else { throw .badRequest("topic is required") }
        guard let topic = TopicName(raw) else { throw .badRequest("invalid topic name \(raw.prefix(64))") }
        return topic
    }

    func position(_ key: String) throws(HubError) -> TopicPosition? {
        switch fields[key] {
        case nil, .null?: return nil
        case .object(let members)?:
            guard case .integer(let offset)? = members["offset"], offset >= 0 else {
                throw .badRequest("\(key).offset must be a non-negative integer")
            }
            switch members["epoch"] {
            case .string(let epoch)?: return TopicPosition(epoch: epoch, offset: offset)
            case nil, .null?: return TopicPosition(epoch: "", offset: offset)
            default: throw .badRequest("\(key).epoch must be a string")
            }
        default:
            throw .badRequest("\(key) must be an object {offset, epoch}")
        }
    }
}
