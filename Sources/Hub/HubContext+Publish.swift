import Actors
import Channels
import Store

extension HubContext {
    /// Publishes what a client sent (WebSocket `publish` or `POST /topics/{topic}/events`).
    ///
    /// Topics owned by an actor are not written directly: a publish to `chat:{id}` is a
    /// message (`name` `message`, `data` `{"text"}` or a string) that the chat validates,
    /// stamps and records as `message.created`; `ticket:{id}` topics are written only by
    /// ticket commands. Anything else goes to the topic as it is.
    func publish(
        _ topic: TopicName, name: String, data: String, key: String?, audience: EventAudience, by principal: Principal
    ) async throws(HubError) -> AppendOutcome {
        switch topic.namespace {
        case "chat":
            guard name == "message" else { throw .invalid("a chat takes messages: publish name \"message\" with data {\"text\": ...}") }
            guard audience == .everyone else { throw .invalid("chat messages reach every participant") }
            guard let text = Self.messageText(data) else { throw .invalid("a chat message needs data {\"text\": string}") }
            do throws(EntityError) {
                return AppendOutcome(event: try await chats.post(topic.id, text: text, key: key, by: principal), isDuplicate: false)
            } catch {
                throw HubError(error)
            }
        case "ticket":
            throw .invalid("ticket topics are written by ticket commands (ticket.reply, ticket.note, ...), not by publish")
        default:
            try authorize(\.publish, principal, topic, audience: audience)
            do {
                return try await topics.publish(to: topic, name: name, data: data, key: key, audience: audience)
            } catch {
                throw HubError(error)
            }
        }
    }

    /// Whether publishes to `topic` go straight to its log: no actor owns it.
    static func isDirect(_ topic: TopicName) -> Bool {
        topic.namespace != "chat" && topic.namespace != "ticket"
    }

    /// Starts a publish to a topic no actor owns (``isDirect(_:)``) whose access the caller
    /// has checked (``authorize(_:_:_:audience:)``, first, so a refused publish costs no
    /// rate-limit token): queues the event for commit and returns, so publishes started one
    /// after another get offsets in that order. `completion` gets the outcome on the commit
    /// loop; it must not block. A publish refused before it is queued throws, and
    /// `completion` is not called.
    func startPublish(
        _ topic: TopicName, name: String, data: String, key: String?, audience: EventAudience,
        completion: @escaping @Sendable (Result<AppendOutcome, HubError>) -> Void
    ) throws(HubError) {
        do {
            try topics.startPublish(to: topic, name: name, data: data, key: key, audience: audience) {
                completion($0.mapError { HubError($0) })
            }
        } catch {
            throw HubError(error)
        }
    }

    /// The checks of ``publish(_:name:data:key:audience:by:)`` that need no body, so REST
    /// answers 404 and 403 before reading one: the namespace and, on topics no actor owns,
    /// the namespace's publish rule. A chat checks its participants when it takes the message.
    func checkPublishAccess(_ topic: TopicName, by principal: Principal) throws(HubError) {
        guard Self.isDirect(topic) else { return }
        try authorize(\.publish, principal, topic)
    }

    /// The text of a chat message's data: a JSON string, or an object's `text` string.
    private static func messageText(_ data: String) -> String? {
        switch try? JSONParser.parse(data) {
        case .string(let text)?: return text
        case .object(let fields)?:
            guard case .string(let text)? = fields["text"] else { return nil }
            return text
        default: return nil
        }
    }
}
