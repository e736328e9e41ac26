import Channels
import Foundation
import Logging
import Store

/// A notification as a service asks for it.
public struct NotificationRequest: Sendable {
    /// The type's name.
    public var type: String
    /// User ids, 1 to 1000; empty when `topic` names the recipients.
    public var recipients: [String]
    /// A notification topic: its subscribers (up to 100,000) are the recipients.
    public var topic: String?
    /// A JSON object with the type's variables.
    public var data: String
    /// Channels instead of the type's defaults.
    public var channels: [NotificationChannelKind]?
    /// When to send; now when nil or past.
    public var sendAt: Date?

    /// Creates a request.
    public init(
        type: String, recipients: [String], topic: String? = nil, data: String, channels: [NotificationChannelKind]? = nil,
        sendAt: Date? = nil
    ) {
        self.type = type
        self.recipients = recipients
        self.topic = topic
        self.data = data
        self.channels = channels
        self.sendAt = sendAt
    }
}

/// Multi-channel notifications: types and their templates, users' contacts and
/// preferences, accepting notifications (stored with one delivery per recipient and
/// channel before the answer, deduplicated by idempotency key for 24 h), and status.
///
/// When a notification is accepted each delivery is planned: skipped when the user opted
/// out of the type's category on that channel (unless the type is critical), when there
/// is no address for it, or when no provider serves the channel; otherwise queued, due at
/// `send_at` or, for non-critical types, at the end of the user's quiet hours. The
/// ``NotificationDispatcher`` sends what is due.
public final class NotificationCenter: Sendable {
    private let store: any NotificationStore
    private let topics: Topics
    private let preferenceGates = KeyedGates()
    private let channels: Set<NotificationChannelKind>
    private let logger: Logger
    /// The topic that streams `notification.*` events for dashboards.
    public static let stream = TopicName("events:notifications")!
    static let keyLifetimeMilliseconds: Int64 = 24 * 3_600_000
    /// How far ahead `send_at` may be.
    static let longestDelay: TimeInterval = 366 * 24 * 3600

    /// Creates the center; `channels` are those a provider serves (others are skipped).
    public init(store: any NotificationStore, topics: Topics, channels: Set<NotificationChannelKind>, logger: Logger) {
        self.store = store
        self.topics = topics
        self.channels = channels
        self.logger = logger
    }

    // MARK: - Types, contacts, preferences

    /// Saves a type (services and admins), after checking its templates.
    public func saveType(_ type: NotificationType, by principal: Principal) async throws(EntityError) {
        try Self.requireSender(principal)
        try type.validate()
        try await save(kind: "notification_type", name: type.name, type)
    }

    /// A type by name.
    public func type(_ name: String) async throws(EntityError) -> NotificationType {
        guard let type = try await load(NotificationType.self, kind: "notification_type", name: name) else {
            throw .notFound("no notification type \(name.prefix(64))")
        }
        return type
    }

    /// Sets a user's contacts (the user, services and admins).
    public func saveContacts(_ contacts: UserContacts, of user: String, by principal: Principal) async throws(EntityError) {
        try Self.requireSelfOrService(user, principal)
        try contacts.validate()
        try await save(kind: "contacts", name: user, contacts)
    }

    /// A user's preferences (defaults when never set); the user, services and admins.
    public func preferences(of user: String, for principal: Principal) async throws(EntityError) -> NotificationPreferences {
        try Self.requireSelfOrService(user, principal)
        return try await load(NotificationPreferences.self, kind: "preferences", name: user) ?? NotificationPreferences()
    }

    /// Replaces a user's preferences; a user may change only their own.
    public func savePreferences(_ preferences: NotificationPreferences, of user: String, by principal: Principal) async throws(EntityError) {
        try Self.requireSelfOrService(user, principal)
        try preferences.validate()
        try await changingPreferences(of: user) { _ in preferences }
    }

    /// Opts `user` out of `channel` for `category`, keeping the rest of their preferences:
    /// what a one-click unsubscribe link does, its caller already verified.
    public func optOut(_ user: String, of channel: NotificationChannelKind, in category: String) async throws(EntityError) {
        try await changingPreferences(of: user) { preferences in
            var preferences = preferences
            preferences.categories[category, default: [:]][channel.rawValue] = false
            return preferences
        }
    }

    /// Replaces a user's preferences with `change` of the stored ones; changes of one user's
    /// preferences run one at a time, so an opt-out is never lost to a save racing it.
    private func changingPreferences(
        of user: String, _ change: @escaping @Sendable (NotificationPreferences) -> NotificationPreferences
    ) async throws(EntityError) {
        do {
            try await preferenceGates.run(user) { [self] in
                let stored = try await load(NotificationPreferences.self, kind: "preferences", name: user) ?? NotificationPreferences()
                try await save(kind: "preferences", name: user, change(stored))
            }
        } catch let error as EntityError {
            throw error
        } catch {
            throw .unavailable("the preferences cannot be saved now")
        }
    }

    // MARK: - Sending

    /// Accepts a notification: validates it, plans its deliveries and stores everything in
    /// one transaction. A repeat of `key` within 24 h returns the first id with `isNew` false.
    public func send(_ request: NotificationRequest, key: String?, by principal: Principal) async throws(EntityError) -> (id: String, isNew: Bool) {
        try Self.requireSender(principal)
        let recipients = try await recipients(of: request)
        let type = try await type(request.type)
        guard let data = try? JSONSerialization.jsonObject(with: Data(request.data.utf8)) as? [String: Any] else {
            throw .invalid("data must be a JSON object")
        }
        if let missing = type.variables.first(where: { data[$0] == nil }) { throw .invalid("data lacks the variable \(missing)") }
        let wanted = NotificationChannelKind.allCases.filter((request.channels ?? type.channels).contains)
        guard !wanted.isEmpty else { throw .invalid("channels must not be empty") }
        for channel in wanted where channel != .webhook && type.templates[channel.rawValue] == nil {
            throw .invalid("type \(type.name) has no templates for \(channel.rawValue)")
        }
        let now = Date()
        let nowMilliseconds = Int64(now.timeIntervalSince1970 * 1000)
        let sendAt = max(request.sendAt ?? now, now)
        guard sendAt.timeIntervalSince(now) <= Self.longestDelay else { throw .invalid("send_at must be within a year from now") }
        let contacts = try await loadAll(UserContacts.self, kind: "contacts", names: recipients)
        let preferences = try await loadAll(NotificationPreferences.self, kind: "preferences", names: recipients)
        let id = "ntf_" + SupportDesk.newID().lowercased() + SupportDesk.newID().lowercased()
        var deliveries: [DeliveryRecord] = []
        for recipient in recipients {
            for channel in wanted {
                var delivery = DeliveryRecord(
                    notificationID: id, recipient: recipient, channel: channel.rawValue, status: "queued",
                    dueMilliseconds: nil, updatedMilliseconds: nowMilliseconds)
                let userPreferences = preferences[recipient] ?? NotificationPreferences()
                if !type.critical, !userPreferences.allows(channel, in: type.category) {
                    delivery.status = "skipped"
                    delivery.reason = "opted_out"
                } else if channel.needsAddress, contacts[recipient]?.reaches(channel) != true {
                    delivery.status = "skipped"
                    delivery.reason = "no_address"
                } else if !channels.contains(channel) {
                    delivery.status = "skipped"
                    delivery.reason = "channel_unavailable"
                } else {
                    let quietEnd = type.critical ? nil : userPreferences.quietHours?.end(after: sendAt)
                    delivery.dueMilliseconds = Int64((quietEnd ?? sendAt).timeIntervalSince1970 * 1000)
                    if quietEnd != nil { delivery.reason = "quiet_hours" }
                    if !type.critical, DigestWindow.collects(channel), let window = userPreferences.digest[type.category],
                       let due = delivery.dueMilliseconds {
                        // Every notification of the window joins one digest, due when it ends.
                        delivery.dueMilliseconds = window.end(of: due)
                        delivery.digest = "\(type.category)@\(window.end(of: due))"
                        delivery.reason = "digest"
                    }
                }
                deliveries.append(delivery)
            }
        }
        let record = NotificationRecord(
            id: id, type: type.name, data: request.data, requestedBy: principal.subject, idempotencyKey: key,
            createdMilliseconds: nowMilliseconds)
        let stored: (id: String, isNew: Bool)
        do {
            stored = try await store.insertNotification(record, deliveries: deliveries, keyLifetimeMilliseconds: Self.keyLifetimeMilliseconds)
        } catch {
            throw .unavailable(error.message)
        }
        if stored.isNew {
            await announce("notification.accepted", "{\"id\":\(JSONText.quoted(id)),\"type\":\(JSONText.quoted(type.name)),\"deliveries\":\(deliveries.count)}")
        }
        return stored
    }

    /// The recipients of a request, once each: its list, or its topic's subscribers.
    private func recipients(of request: NotificationRequest) async throws(EntityError) -> [String] {
        guard let topic = request.topic else {
            let recipients = Array(Set(request.recipients)).sorted()
            guard (1...1000).contains(recipients.count) else { throw .invalid("recipients: 1 to 1000 user ids, or a topic") }
            guard recipients.allSatisfy(Self.isUserID) else { throw .invalid("recipients must be valid user ids") }
            return recipients
        }
        guard request.recipients.isEmpty else { throw .invalid("give recipients or a topic, not both") }
        try Self.requireTopicName(topic)
        let subscribers: [String]
        do {
            subscribers = try await store.topicSubscribers(topic: topic, limit: Self.maxTopicSubscribers)
        } catch {
            throw .unavailable(error.message)
        }
        guard !subscribers.isEmpty else { throw .invalid("topic \(topic) has no subscribers") }
        return subscribers
    }

    // MARK: - Notification topics

    /// Adds users to and removes them from a notification topic: a named list of users a
    /// notification can be sent to at once (`topic` instead of `recipients`), not a pub/sub
    /// topic. Services, admins and supervisors manage topics; returns the topic's size.
    public func changeSubscribers(
        of topic: String, add: [String], remove: [String], by principal: Principal
    ) async throws(EntityError) -> Int {
        try Self.requireSender(principal)
        try Self.requireTopicName(topic)
        guard add.count + remove.count <= 1000 else { throw .invalid("at most 1000 users added or removed at once") }
        guard (add + remove).allSatisfy(Self.isUserID) else { throw .invalid("users must be valid user ids") }
        guard Set(add).isDisjoint(with: remove) else { throw .invalid("a user is either added or removed, not both") }
        let count: Int?
        do {
            count = try await store.changeTopicSubscribers(topic: topic, add: add, remove: remove, limit: Self.maxTopicSubscribers)
        } catch {
            throw .unavailable(error.message)
        }
        guard let count else { throw .invalid("a topic has at most \(Self.maxTopicSubscribers) subscribers") }
        return count
    }

    /// The most subscribers a notification topic has, and so the most recipients of one send.
    static let maxTopicSubscribers = 100_000

    private static func isUserID(_ user: String) -> Bool { TopicName("inbox:" + user) != nil }

    private static func requireTopicName(_ topic: String) throws(EntityError) {
        guard NotificationRules.isName(topic, maxLength: 64, extra: [UInt8(ascii: ".")]) else { throw .invalid("a notification topic is [a-z0-9_.-]{1,64}") }
    }

    /// A notification, the state of each delivery and the provider calls made for them (the
    /// requester, services and admins).
    public func status(
        _ id: String, for principal: Principal
    ) async throws(EntityError) -> (NotificationRecord, [DeliveryRecord], [DeliveryAttemptRecord]) {
        let found: (NotificationRecord, [DeliveryRecord])?
        do { found = try await store.notification(id: id) } catch { throw .unavailable(error.message) }
        guard let (record, deliveries) = found else { throw .notFound("no notification \(id.prefix(64))") }
        guard record.requestedBy == principal.subject || Self.isSender(principal) else { throw .forbidden("not your notification") }
        do {
            return (record, deliveries, try await store.deliveryAttempts(notificationID: id))
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Publishes a `notification.*` event on ``stream``; a failure is logged.
    func announce(_ name: String, _ data: String) async {
        do {
            _ = try await topics.publish(to: Self.stream, name: name, data: data, key: nil)
        } catch {
            logger.warning("cannot stream a notification event", metadata: ["sb.event": "\(name)"])
        }
    }

    /// Contacts of some users, by user.
    func contacts(of users: [String]) async throws(EntityError) -> [String: UserContacts] {
        try await loadAll(UserContacts.self, kind: "contacts", names: users)
    }

    // MARK: - Helpers

    private static func isSender(_ principal: Principal) -> Bool {
        !principal.roles.isDisjoint(with: [.service, .admin, .supervisor])
    }

    private static func requireSender(_ principal: Principal) throws(EntityError) {
        guard isSender(principal) else { throw .forbidden("notifications are sent by services, supervisors and admins") }
    }

    private static func requireSelfOrService(_ user: String, _ principal: Principal) throws(EntityError) {
        guard principal.subject == user || !principal.roles.isDisjoint(with: [.service, .admin]) else {
            throw .forbidden("a user may change only their own settings")
        }
    }

    private func save(kind: String, name: String, _ value: some Encodable) async throws(EntityError) {
        do {
            let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            try await store.saveDocument(kind: kind, name: name, json: json)
        } catch let error as StoreError {
            throw .unavailable(error.message)
        } catch {
            throw .invalid("cannot encode \(kind)")
        }
    }

    private func load<T: Decodable>(_ type: T.Type, kind: String, name: String) async throws(EntityError) -> T? {
        do {
            return try await store.document(kind: kind, name: name).flatMap { try? JSONDecoder().decode(type, from: Data($0.utf8)) }
        } catch {
            throw .unavailable(error.message)
        }
    }

    private func loadAll<T: Decodable>(_ type: T.Type, kind: String, names: [String]) async throws(EntityError) -> [String: T] {
        do {
            return try await store.documents(kind: kind, names: names).compactMapValues { try? JSONDecoder().decode(type, from: Data($0.utf8)) }
        } catch {
            throw .unavailable(error.message)
        }
    }
}
