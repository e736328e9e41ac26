/// A stored notification: what a service asked to tell whom, kept with the idempotency key
/// it came with.
public struct NotificationRecord: Sendable, Equatable {
    /// `ntf_...`.
    public var id: String
    /// The notification type's name.
    public var type: String
    /// The data the templates are rendered with, as JSON.
    public var data: String
    /// Who asked (a subject or `key:...`).
    public var requestedBy: String
    /// The `Idempotency-Key` it came with.
    public var idempotencyKey: String?
    /// When it was accepted, in milliseconds since 1970.
    public var createdMilliseconds: Int64

    /// Creates a record.
    public init(id: String, type: String, data: String, requestedBy: String, idempotencyKey: String?, createdMilliseconds: Int64) {
        self.id = id
        self.type = type
        self.data = data
        self.requestedBy = requestedBy
        self.idempotencyKey = idempotencyKey
        self.createdMilliseconds = createdMilliseconds
    }
}

/// One recipient on one channel of a notification: the unit that is sent, retried and
/// reported (`queued`, `sent`, `delivered`, `failed`, `skipped`).
public struct DeliveryRecord: Sendable, Equatable {
    /// Assigned by the store; 0 before it is stored.
    public var id: Int64
    public var notificationID: String
    public var recipient: String
    /// `in_app`, `email`, `sms`, `push`, `webhook`.
    public var channel: String
    public var status: String
    /// Why it failed or was skipped.
    public var reason: String?
    /// Attempts made so far.
    public var attempts: Int
    /// When it is due (queued ones), in milliseconds since 1970.
    public var dueMilliseconds: Int64?
    public var updatedMilliseconds: Int64
    /// The digest it waits for (`{category}@{window end}`): the recipient's deliveries on this
    /// channel with the same digest are sent as one message.
    public var digest: String?

    /// Creates a record.
    public init(
        id: Int64 = 0, notificationID: String, recipient: String, channel: String, status: String, reason: String? = nil,
        attempts: Int = 0, dueMilliseconds: Int64?, updatedMilliseconds: Int64, digest: String? = nil
    ) {
        self.digest = digest
        self.id = id
        self.notificationID = notificationID
        self.recipient = recipient
        self.channel = channel
        self.status = status
        self.reason = reason
        self.attempts = attempts
        self.dueMilliseconds = dueMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }
}

/// One call to one provider for a delivery, as recorded: who, when, how long, what came of it.
public struct DeliveryAttemptRecord: Sendable, Equatable {
    /// The delivery it was for.
    public var deliveryID: Int64
    /// The provider's name, e.g. `smtp`.
    public var provider: String
    public var startedMilliseconds: Int64
    public var durationMilliseconds: Int64
    /// `sent`, `transient` or `permanent`.
    public var outcome: String
    /// Why it failed, or the provider's reference for what it sent.
    public var detail: String?

    /// Creates a record.
    public init(deliveryID: Int64, provider: String, startedMilliseconds: Int64, durationMilliseconds: Int64, outcome: String, detail: String?) {
        self.deliveryID = deliveryID
        self.provider = provider
        self.startedMilliseconds = startedMilliseconds
        self.durationMilliseconds = durationMilliseconds
        self.outcome = outcome
        self.detail = detail
    }
}

/// One item of a user's in-app inbox.
public struct InboxItem: Sendable, Equatable {
    /// The notification it came from.
    public var notificationID: String
    /// The rendered text, as the inbox shows it.
    public var text: String
    /// The notification type.
    public var type: String
    public var createdMilliseconds: Int64
    public var readMilliseconds: Int64?
    public var archivedMilliseconds: Int64?

    /// Creates an item.
    public init(
        notificationID: String, text: String, type: String, createdMilliseconds: Int64,
        readMilliseconds: Int64? = nil, archivedMilliseconds: Int64? = nil
    ) {
        self.notificationID = notificationID
        self.text = text
        self.type = type
        self.createdMilliseconds = createdMilliseconds
        self.readMilliseconds = readMilliseconds
        self.archivedMilliseconds = archivedMilliseconds
    }
}

/// Notifications, their per-recipient deliveries (the outbox the dispatcher works from),
/// in-app inboxes, and the JSON documents behind them (types, contacts, preferences).
public protocol NotificationStore: Sendable {
    /// Saves a JSON document (a notification type, a user's contacts or preferences).
    func saveDocument(kind: String, name: String, json: String) async throws(StoreError)
    /// A JSON document, if it exists.
    func document(kind: String, name: String) async throws(StoreError) -> String?
    /// Several documents of one kind by name (missing ones are left out).
    func documents(kind: String, names: [String]) async throws(StoreError) -> [String: String]

    /// Stores a notification and its deliveries in one transaction. With an idempotency
    /// key the same requester used within `keyLifetimeMilliseconds`, stores nothing and
    /// returns the first notification's id and false (keys are scoped per requester).
    func insertNotification(
        _ notification: NotificationRecord, deliveries: [DeliveryRecord], keyLifetimeMilliseconds: Int64
    ) async throws(StoreError) -> (id: String, isNew: Bool)
    /// A notification and its deliveries.
    func notification(id: String) async throws(StoreError) -> (NotificationRecord, [DeliveryRecord])?
    /// The provider calls made for a notification's deliveries, oldest first.
    func deliveryAttempts(notificationID: String) async throws(StoreError) -> [DeliveryAttemptRecord]
    /// Queued deliveries of one channel due by `now`, oldest due first, at most `limit`.
    func dueDeliveries(channel: String, nowMilliseconds: Int64, limit: Int) async throws(StoreError) -> [DeliveryRecord]
    /// Deletes at most `limit` notifications created before `createdBefore` that have no
    /// delivery still queued, with their deliveries and provider calls (inbox items stay);
    /// returns how many. Their idempotency keys, long expired, go with them.
    func expireNotifications(createdBefore: Int64, limit: Int) async throws(StoreError) -> Int
    /// How many queued deliveries are on channels not in `channels`.
    func queuedDeliveryCount(exceptOn channels: [String]) async throws(StoreError) -> Int
    /// The queued deliveries of one digest: a recipient's on a channel with the same `digest`.
    func digestDeliveries(recipient: String, channel: String, digest: String) async throws(StoreError) -> [DeliveryRecord]
    /// Records what a send came to, in one transaction: each delivery's new status, reason,
    /// attempts and due time, and the provider calls made for them.
    func updateDeliveries(_ deliveries: [DeliveryRecord], attempts: [DeliveryAttemptRecord]) async throws(StoreError)

    /// Adds users to and removes them from a notification topic (a named list of users);
    /// returns how many it has now, or nil, changing nothing, when that would be over `limit`.
    func changeTopicSubscribers(topic: String, add: [String], remove: [String], limit: Int) async throws(StoreError) -> Int?
    /// A notification topic's users, in order, at most `limit`.
    func topicSubscribers(topic: String, limit: Int) async throws(StoreError) -> [String]

    /// Adds an in-app item (once per notification) and returns the user's unread count.
    func addInboxItem(user: String, _ item: InboxItem) async throws(StoreError) -> Int
    /// A page of a user's items, newest first, archived ones left out; `before` is the
    /// creation time and notification id of the previous page's last item.
    func inboxItems(user: String, before: (createdMilliseconds: Int64, id: String)?, limit: Int) async throws(StoreError) -> [InboxItem]
    /// Marks items read (all unread ones when `ids` is nil) or archived; returns the unread count.
    func markInbox(user: String, ids: [String]?, archive: Bool, atMilliseconds: Int64) async throws(StoreError) -> Int
}
