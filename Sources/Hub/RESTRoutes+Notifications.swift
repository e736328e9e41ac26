import Actors
import Channels
import Foundation
import Hummingbird
import Store

/// `/api/v1/notifications` and `/api/v1/users/{id}/contacts`: notification types, sending,
/// status, preferences, contacts and the caller's in-app inbox (see ``NotificationCenter``).
extension RESTRoutes {
    func registerNotifications(on api: RouterGroup<BasicRequestContext>) {
        let notifications = api.group("/notifications")
        registerUnsubscribe(on: notifications)
        notifications.put("/types/:name") { request, context in
            let principal = try await authenticate(request)
            var type = try await decodePlain(
                request, as: NotificationType.self,
                invalid: "a notification type needs category, channels and templates, and optionally critical, variables and locales")
            type.name = context.parameters.get("name") ?? ""
            let saved = type
            try await desk { try await hub.notifications.saveType(saved, by: principal) }
            return try encodeJSON(.ok, saved)
        }
        notifications.post("") { request, _ in
            let principal = try await authenticate(request)
            let body = try await jsonBody(request)
            guard let data = body["data"], case .object = data else { throw HubError.invalid("data is required: a JSON object") }
            let channels = try body.strings("channels").map { names in
                try names.map { name in
                    guard let channel = NotificationChannelKind(rawValue: name) else { throw HubError.invalid("unknown channel \(name.prefix(32))") }
                    return channel
                }
            }
            let sendAt = try body.optionalString("send_at").map { text in
                guard let milliseconds = try milliseconds(Substring(text), name: "send_at") else { throw HubError.invalid("send_at is invalid") }
                return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            }
            let notification = NotificationRequest(
                type: try body.requiredString("type"), recipients: try body.strings("recipients") ?? [], topic: try body.optionalString("topic"),
                data: data.text, channels: channels, sendAt: sendAt)
            let key = try idempotencyKey(request)
            let (id, isNew) = try await desk { try await hub.notifications.send(notification, key: key, by: principal) }
            var response = json(.accepted, "{\"id\":\(JSONText.quoted(id))}")
            if !isNew { response.headers[.idempotentReplayed] = "true" }
            return response
        }
        notifications.put("/topics/:name/subscribers") { request, context in
            let principal = try await authenticate(request)
            let topic = context.parameters.get("name") ?? ""
            let body = try await jsonBody(request)
            let (add, remove) = (try body.strings("add") ?? [], try body.strings("remove") ?? [])
            let count = try await desk { try await hub.notifications.changeSubscribers(of: topic, add: add, remove: remove, by: principal) }
            return json(.ok, "{\"topic\":\(JSONText.quoted(topic)),\"subscribers\":\(count)}")
        }
        notifications.get("/preferences/:user") { request, context in
            let principal = try await authenticate(request)
            let user = try userID(context)
            return try encodeJSON(.ok, try await desk { try await hub.notifications.preferences(of: user, for: principal) })
        }
        notifications.put("/preferences/:user") { request, context in
            let principal = try await authenticate(request)
            let user = try userID(context)
            let preferences = try await decodePlain(
                request, as: NotificationPreferences.self,
                invalid: "preferences are {categories: {NAME: {CHANNEL: true|false}}, quiet_hours?: {start, end, timezone}}")
            try await desk { try await hub.notifications.savePreferences(preferences, of: user, by: principal) }
            return try encodeJSON(.ok, preferences)
        }
        notifications.get("/inbox") { request, _ in
            let principal = try await authenticate(request)
            let cursor = try request.uri.queryParameters["cursor"].map { try IndexCursor(decoding: String($0)) }
            let limit = try pageLimit(request)
            let items = try await desk { try await hub.inboxes.items(principal.subject, before: cursor?.position, limit: limit) }
            let next = items.count == limit ? items.last.map { IndexCursor(createdMilliseconds: $0.createdMilliseconds, id: $0.notificationID).encoded } : nil
            return try encodeJSON(.ok, InboxPage(items: items.map(InboxItemBody.init), nextCursor: next))
        }
        notifications.post("/inbox/read") { request, _ in
            let principal = try await authenticate(request)
            let ids = try await jsonBody(request).strings("ids")
            let count = try await desk { try await hub.inboxes.mark(principal.subject, ids: ids, archive: false) }
            return json(.ok, "{\"unread_count\":\(count)}")
        }
        notifications.post("/inbox/archive") { request, _ in
            let principal = try await authenticate(request)
            guard let ids = try await jsonBody(request).strings("ids") else { throw HubError.invalid("ids is required: the items to archive") }
            let count = try await desk { try await hub.inboxes.mark(principal.subject, ids: ids, archive: true) }
            return json(.ok, "{\"unread_count\":\(count)}")
        }
        notifications.get("/:id") { request, context in
            let principal = try await authenticate(request)
            let id = context.parameters.get("id") ?? ""
            let (record, deliveries, calls) = try await desk { try await hub.notifications.status(id, for: principal) }
            return try encodeJSON(.ok, NotificationStatusBody(record, deliveries, calls: calls))
        }
        api.put("/users/:user/contacts") { request, context in
            let principal = try await authenticate(request)
            let user = try userID(context)
            let contacts = try await decodePlain(
                request, as: UserContacts.self, invalid: "contacts are {email?, phone?, push_tokens?, locale?, timezone?}")
            try await desk { try await hub.notifications.saveContacts(contacts, of: user, by: principal) }
            return try encodeJSON(.ok, contacts)
        }
    }

    private func userID(_ context: BasicRequestContext) throws -> String {
        guard let user = context.parameters.get("user"), TopicName("inbox:" + user) != nil else { throw HubError.badRequest("invalid user id") }
        return user
    }

    /// The body decoded as `T` with its own key names (these bodies carry channel and
    /// category names as keys, which a snake-case conversion would change).
    private func decodePlain<T: Decodable>(_ request: Request, as type: T.Type, invalid: String) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: hub.configuration.maxMessageBytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw HubError.invalid(invalid)
        }
    }
}

/// A notification's state per recipient and channel, with the provider calls made for each.
struct NotificationStatusBody: Encodable {
    struct Delivery: Encodable {
        var recipient, channel, status: String
        var reason: String?
        var attempts: Int
        var dueAt: String?
        var providerCalls: [ProviderCall]
    }

    /// One call to a provider: `outcome` is `sent`, `transient` or `permanent`; `detail` the
    /// reason, or the provider's reference for what it sent.
    struct ProviderCall: Encodable {
        var provider, startedAt, outcome: String
        var durationMs: Int64
        var detail: String?
    }

    var id, type, createdAt: String
    var deliveries: [Delivery]

    init(_ record: NotificationRecord, _ deliveries: [DeliveryRecord], calls: [DeliveryAttemptRecord]) {
        id = record.id
        type = record.type
        createdAt = JSONText.timestamp(milliseconds: record.createdMilliseconds)
        let callsByDelivery = Dictionary(grouping: calls, by: \.deliveryID)
        self.deliveries = deliveries.map { delivery in
            Delivery(
                recipient: delivery.recipient, channel: delivery.channel, status: delivery.status, reason: delivery.reason,
                attempts: delivery.attempts,
                dueAt: delivery.status == "queued" ? delivery.dueMilliseconds.map(JSONText.timestamp(milliseconds:)) : nil,
                providerCalls: (callsByDelivery[delivery.id] ?? []).map { call in
                    ProviderCall(
                        provider: call.provider, startedAt: JSONText.timestamp(milliseconds: call.startedMilliseconds),
                        outcome: call.outcome, durationMs: call.durationMilliseconds, detail: call.detail)
                })
        }
    }
}

/// One inbox item.
struct InboxItemBody: Encodable {
    var id, type, text, createdAt: String
    var read: Bool

    init(_ item: InboxItem) {
        id = item.notificationID
        type = item.type
        text = item.text
        createdAt = JSONText.timestamp(milliseconds: item.createdMilliseconds)
        read = item.readMilliseconds != nil
    }
}

/// A page of the inbox and the cursor of the next page.
struct InboxPage: Encodable {
    var items: [InboxItemBody]
    var nextCursor: String?
}
