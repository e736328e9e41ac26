/// The storage contract the hub is written against.
///
/// SQLite (``SQLiteStore``) implements it now; a PostgreSQL implementation for cluster
/// mode will implement the same contract.
///
/// - Important: ``append(_:)`` must be called by one writer at a time (``GroupCommitter``
///   is that writer): offsets are handed out from the stored topic heads inside the
///   batch's transaction, and fan-out order relies on batches committing in call order.
public protocol EventStore: Sendable {
    /// Appends a batch in one transaction and returns one outcome per request, in order,
    /// once the commit is as durable as the store makes every commit (``SQLiteStore``:
    /// its ``SQLiteStore/Durability``). Either every request of the batch is committed or
    /// none is.
    ///
    /// - Important: Blocks the calling thread until the commit completes, so the hub calls
    ///   it only from ``GroupCommitter``'s own thread and no Swift concurrency thread waits
    ///   for the disk. It is synchronous because a publish waits for one commit after
    ///   another: the two thread hops an asynchronous call costs per batch lengthened every
    ///   publish's wait. (Tests call it directly; a short block there is harmless.)
    func append(_ batch: [AppendRequest]) throws(StoreError) -> [AppendOutcome]

    /// The current position of a topic (``TopicPosition/empty`` if it never had an event).
    func position(of topic: String) async throws(StoreError) -> TopicPosition

    /// Events of a topic with offsets greater than `offset`, oldest first, at most `limit`.
    func events(of topic: String, after offset: Int64, limit: Int) async throws(StoreError) -> [StoredEvent]

    /// The newest `limit` events of a topic, oldest first.
    func latestEvents(of topic: String, limit: Int) async throws(StoreError) -> [StoredEvent]

    /// Deletes events of topics in `namespace` committed before `cutoffMilliseconds`, keeping
    /// each topic's last event so its position survives; returns how many were deleted.
    func trimEvents(namespace: String, before cutoffMilliseconds: Int64) async throws(StoreError) -> Int

    /// Forgets idempotency keys created before `cutoffMilliseconds`; returns how many.
    func expireIdempotencyKeys(before cutoffMilliseconds: Int64) async throws(StoreError) -> Int

    /// Stores a new API key record.
    func insertAPIKey(_ record: APIKeyRecord) async throws(StoreError)

    /// Finds an API key by the hash of its secret.
    func apiKey(hash: String) async throws(StoreError) -> APIKeyRecord?

    /// Throws when the store cannot serve requests: its file cannot be read, was removed or
    /// replaced, or the last commit of events failed (until one succeeds).
    func checkHealth() async throws(StoreError)
}
