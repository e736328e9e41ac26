/// Storage for signed webhooks: endpoints, the outbox of messages and their attempts.
///
/// Messages are created by ``EventStore/append(_:)`` in the same transaction as the
/// events they carry (the transactional outbox): an event that commits has its messages,
/// and no message exists for an event that did not commit.
public protocol WebhookStore: Sendable {
    /// Stores a new endpoint.
    func insertWebhookEndpoint(_ endpoint: WebhookEndpointRecord) async throws(StoreError)

    /// Every endpoint, oldest first.
    func webhookEndpoints() async throws(StoreError) -> [WebhookEndpointRecord]

    /// One endpoint, or nil.
    func webhookEndpoint(id: String) async throws(StoreError) -> WebhookEndpointRecord?

    /// Reads, changes and writes an endpoint in one transaction; nil when there is none.
    /// Disabling it fails its pending messages. Its `updatedMilliseconds` ends strictly later
    /// than before, so it tells every change apart (attempts in flight rely on it).
    func updateWebhookEndpoint(
        id: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) -> Void
    ) async throws(StoreError) -> WebhookEndpointRecord?

    /// Deletes an endpoint with its messages and attempts; false when there was none.
    func deleteWebhookEndpoint(id: String) async throws(StoreError) -> Bool

    /// Pending messages of one enabled endpoint due at `nowMilliseconds`, in due order,
    /// strictly after the position `after` when given (rows at or before it are never
    /// returned, due or not: read from nil to see them), leaving out the messages whose `seq`
    /// is in `excludingSequences` (those already busy). Reads at most `limit` rows plus the
    /// excluded ones after `after`, however long the backlog.
    func dueWebhookMessages(
        endpointID: String, nowMilliseconds: Int64, after: WebhookDuePosition?, limit: Int, excludingSequences: Set<Int64>
    ) async throws(StoreError) -> [WebhookDelivery]

    /// Records attempts and applies their outcomes, all in one transaction. The commit need
    /// not wait for the disk: a power loss may undo it, which only repeats those attempts.
    /// An outcome applies only to a message still pending at the position it was attempted
    /// from: one replayed or failed meanwhile keeps that state (its attempt is still
    /// recorded), and one deleted with its endpoint is skipped without failing the batch. A
    /// failure (failing since, disable) applies to the endpoint only while it is unchanged
    /// since the attempt read it (``WebhookAttemptOutcome/endpointUpdatedMilliseconds``); a
    /// success always clears its failing time, even one to a URL changed since, and a failure
    /// recorded after it may set the time again.
    /// Returns the endpoints this batch disabled; one already disabled is left as it was.
    @discardableResult
    func recordWebhookAttempts(_ outcomes: [WebhookAttemptOutcome]) async throws(StoreError) -> Set<String>

    /// Attempts, newest first, optionally of one endpoint, succeeded or not, since a time.
    func webhookAttempts(
        endpointID: String?, succeeded: Bool?, sinceMilliseconds: Int64?, limit: Int
    ) async throws(StoreError) -> [WebhookAttemptRecord]

    /// One message, or nil.
    func webhookMessage(id: String) async throws(StoreError) -> WebhookMessageRecord?

    /// Makes a message pending again, due a millisecond after `nowMilliseconds` (so never at
    /// the position an attempt in flight holds), with a fresh retry schedule; false when there is none.
    func replayWebhookMessage(id: String, nowMilliseconds: Int64) async throws(StoreError) -> Bool

    /// Makes every failed message of an endpoint created since a time pending again, due as a
    /// replayed message is; returns how many.
    func replayFailedWebhookMessages(
        endpointID: String, sinceMilliseconds: Int64, nowMilliseconds: Int64
    ) async throws(StoreError) -> Int

    /// How many messages are pending, and when the oldest of them was created.
    func webhookOutboxDepth() async throws(StoreError) -> (pending: Int, oldestCreatedMilliseconds: Int64?)

    /// Deletes delivered and failed messages (and their attempts) created before a time.
    func expireWebhookMessages(beforeMilliseconds: Int64) async throws(StoreError) -> Int
}
