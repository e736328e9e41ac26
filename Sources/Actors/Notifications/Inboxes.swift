import Channels
import Foundation
import Store

/// In-app inboxes: each user's notifications as items (read, archived) and as events on
/// `inbox:{user}` — `notification.created` `{id, type, text}` for a new item and
/// `inbox.unread_count` `{count}` whenever the count may have changed. Work on one inbox
/// is serialized, so the counts a subscriber sees arrive in the order they were taken.
public final class Inboxes: Sendable {
    private let store: any NotificationStore
    private let topics: Topics
    private let gates = KeyedGates()

    /// Creates the inboxes.
    public init(store: any NotificationStore, topics: Topics) {
        self.store = store
        self.topics = topics
    }

    /// Adds a notification to a user's inbox (once per notification) and streams it.
    func deliver(to user: String, notificationID: String, type: String, text: String) async throws(EntityError) {
        let topic = try Self.topic(user)
        try await serialized(user) { [store, topics] in
            let count = try await store.addInboxItem(user: user, InboxItem(
                notificationID: notificationID, text: text, type: type, createdMilliseconds: Self.now()))
            let created = "{\"id\":\(JSONText.quoted(notificationID)),\"type\":\(JSONText.quoted(type)),\"text\":\(JSONText.quoted(text))}"
            _ = try await topics.publish(to: topic, name: "notification.created", data: created, key: "created." + notificationID)
            _ = try await topics.publish(to: topic, name: "inbox.unread_count", data: "{\"count\":\(count)}", key: nil)
        }
    }

    /// Marks items read (every unread one when `ids` is nil) or archived; returns the unread count.
    public func mark(_ user: String, ids: [String]?, archive: Bool) async throws(EntityError) -> Int {
        let topic = try Self.topic(user)
        if let ids, ids.count > 1000 { throw .invalid("at most 1000 ids at once") }
        return try await serialized(user) { [store, topics] in
            let count = try await store.markInbox(user: user, ids: ids, archive: archive, atMilliseconds: Self.now())
            _ = try await topics.publish(to: topic, name: "inbox.unread_count", data: "{\"count\":\(count)}", key: nil)
            return count
        }
    }

    /// A page of the user's items, newest first (archived ones left out).
    public func items(_ user: String, before: (createdMilliseconds: Int64, id: String)?, limit: Int) async throws(EntityError) -> [InboxItem] {
        do {
            return try await store.inboxItems(user: user, before: before, limit: limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    private func serialized<T: Sendable>(_ user: String, _ body: @Sendable () async throws -> T) async throws(EntityError) -> T {
        do {
            return try await gates.run(user, body)
        } catch let error as StoreError {
            throw .unavailable(error.message)
        } catch let error as ChannelError {
            throw EntityError(error)
        } catch {
            throw .unavailable("the inbox cannot be reached now")
        }
    }

    private static func topic(_ user: String) throws(EntityError) -> TopicName {
        guard let topic = TopicName("inbox:" + user) else { throw .invalid("invalid user id") }
        return topic
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
