import Foundation
import GRDB
@testable import Store
import Testing

func temporaryDatabase() -> String {
    NSTemporaryDirectory() + "switchboard-store-" + UUID().uuidString + ".sqlite"
}

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test(arguments: [(SQLiteStore.Durability.full, 2), (.normal, 1)])
    func theWriterSyncsAsTheDurabilityAsks(durability: SQLiteStore.Durability, level: Int) async throws {
        // GRDB sets synchronous = NORMAL when it enables WAL; FULL must survive that.
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "sync-\(UUID()).sqlite", durability: durability)
        #expect(try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == level)
    }

    @Test(arguments: [(SQLiteStore.Durability.full, 2), (.normal, 1)])
    func anUnsyncedWriteCommitsAndLeavesTheWriterAsItWas(durability: SQLiteStore.Durability, level: Int) async throws {
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "sync-\(UUID()).sqlite", durability: durability)
        let during = try await store.unsyncedWrite { db in
            try db.execute(sql: "CREATE TABLE t (x)")
            try db.execute(sql: "INSERT INTO t VALUES (1)")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(during == 1)
        await #expect(throws: StoreError.self) {
            try await store.unsyncedWrite { db in
                try db.execute(sql: "INSERT INTO t VALUES (2)")
                try db.execute(sql: "INSERT INTO nowhere VALUES (3)")
            }
        }
        #expect(try await store.pool.read { try Int.fetchAll($0, sql: "SELECT x FROM t") } == [1])
        #expect(try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == level)
    }

    @Test func anAppendCommitsWithTheStoresDurabilityWhateverTheWriterWasLeftAt() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = OFF") }
        _ = try store.append([request("a:1")])
        #expect(try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func anUnsyncedWriteCancelledMidwayStillCommitsAndSyncsAgain() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.pool.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let entered = DispatchSemaphore(value: 0), proceed = DispatchSemaphore(value: 0)
        let writing = Task {
            try await store.unsyncedWrite { db in
                entered.signal()
                proceed.wait()
                try db.execute(sql: "INSERT INTO t VALUES (1)")
            }
        }
        // Cancelled between the two pragmas, while the body runs on the writer.
        await Task.detached { entered.wait() }.value
        writing.cancel()
        proceed.signal()
        try await writing.value
        #expect(try await store.pool.read { try Int.fetchAll($0, sql: "SELECT x FROM t") } == [1])
        #expect(try await store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func aBatchKeepsOnlyEachTopicsRetainedEvents() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        _ = try store.append((1...5).map { _ in request("a:1", retain: 2) } + [request("b:1", retain: 2)])
        #expect(try await store.events(of: "a:1", after: 0, limit: 10).map(\.offset) == [4, 5])
        #expect(try await store.events(of: "b:1", after: 0, limit: 10).map(\.offset) == [1])
    }

    @Test func messagesOfADeletedEndpointAreFoundThroughAnIndex() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT 1 FROM webhook_messages WHERE endpoint_id = ?", arguments: ["ep"])
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX webhook_messages_by_endpoint") })
    }

    func request(_ topic: String, key: String? = nil, retain: Int = 100) -> AppendRequest {
        AppendRequest(topic: topic, name: "n", data: "{}", key: key, retainCount: retain)
    }

    @Test func offsetsStartAtOnePerTopicAndShareOneEpoch() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        let outcomes = try store.append([request("a:1"), request("b:1"), request("a:1")])
        #expect(outcomes.map(\.event.offset) == [1, 1, 2])
        #expect(outcomes[0].event.epoch == outcomes[2].event.epoch)
        #expect(outcomes[0].event.epoch != outcomes[1].event.epoch)
        #expect(try await store.position(of: "a:1") == TopicPosition(epoch: outcomes[0].event.epoch, offset: 2))
        #expect(try await store.position(of: "zzz:1") == .empty)
    }

    @Test func aRepeatedKeyReturnsTheFirstEventEvenInTheSameBatch() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        let outcomes = try store.append([request("a:1", key: "k"), request("a:1", key: "k")])
        #expect(outcomes.map(\.isDuplicate) == [false, true])
        #expect(outcomes[1].event == outcomes[0].event)
        let later = try store.append([request("a:1", key: "k")])
        #expect(later[0].isDuplicate && later[0].event.offset == 1)
        #expect(try await store.events(of: "a:1", after: 0, limit: 10).count == 1)
    }

    @Test func anExpiredKeyNoLongerDeduplicatesAndAYoungerOneStill() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        _ = try store.append([request("a:1", key: "old")])
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) + 1
        try await Task.sleep(for: .milliseconds(5))  // so the next key is made after the cutoff
        _ = try store.append([request("a:1", key: "young")])
        #expect(try await store.expireIdempotencyKeys(before: cutoff) == 1)
        let again = try store.append([request("a:1", key: "old"), request("a:1", key: "young")])
        #expect(again.map(\.isDuplicate) == [false, true])
        #expect(again.map(\.event.offset) == [3, 2])
    }

    @Test func historyIsTrimmedToTheRetainCountOnAppend() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        for _ in 0..<10 { _ = try store.append([request("a:1", retain: 3)]) }
        #expect(try await store.events(of: "a:1", after: 0, limit: 100).map(\.offset) == [8, 9, 10])
        #expect(try await store.latestEvents(of: "a:1", limit: 2).map(\.offset) == [9, 10])
    }

    @Test func ageTrimmingKeepsEachTopicsLastEvent() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        _ = try store.append([request("a:1"), request("a:1"), request("b:1")])
        let future = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
        #expect(try await store.trimEvents(namespace: "a", before: future) == 1)
        #expect(try await store.events(of: "a:1", after: 0, limit: 10).map(\.offset) == [2])
        #expect(try await store.events(of: "b:1", after: 0, limit: 10).count == 1)
    }

    @Test func positionsAndKeysSurviveReopening() async throws {
        let path = temporaryDatabase()
        let first = try SQLiteStore(path: path).append([request("a:1", key: "k"), request("a:1")])
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.position(of: "a:1").epoch == first[0].event.epoch)
        let again = try reopened.append([request("a:1", key: "k"), request("a:1")])
        #expect(again.map(\.event.offset) == [1, 3])
    }

    @Test func apiKeysAreFoundByHash() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.insertAPIKey(APIKeyRecord(id: "id1", hash: "abc", role: "service", createdMilliseconds: 1))
        #expect(try await store.apiKey(hash: "abc")?.role == "service")
        #expect(try await store.apiKey(hash: "nope") == nil)
    }

    @Test func anUnopenablePathIsAStoreError() {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/proc/no/such/dir/db.sqlite") }
    }
}

@Suite("GroupCommitter")
struct GroupCommitterTests {
    @Test func concurrentAppendsCommitInBatchesAndReachTheHandlerInOffsetOrder() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), durability: .normal)
        let committer = GroupCommitter(store: store)
        let seen = Seen()
        committer.setCommitHandler { outcomes in seen.append(outcomes.map(\.event.offset)) }
        let running = Task { await committer.run() }
        let offsets = try await Self.append(500, to: committer).value
        #expect(offsets.sorted() == Array(1...500))
        #expect(seen.all == Array(1...500))
        #expect(seen.batches < 500)
        running.cancel()
        await running.value
    }

    @Test(.timeLimit(.minutes(1)))
    func appendsMadeBeforeTheLoopStartsAreCommittedOnceItRuns() async throws {
        let (committer, appends) = try await Self.committerWithQueuedAppends(50)
        let running = Task { await committer.run() }
        #expect(try await appends.value.sorted() == Array(1...50))
        running.cancel()
        await running.value
    }

    @Test(.timeLimit(.minutes(1)))
    func appendsWaitingAtShutdownAreCommittedAndLaterOnesRefused() async throws {
        let (committer, appends) = try await Self.committerWithQueuedAppends(50)
        // Cancelled at once: the loop may not even have started when it is told to close.
        let running = Task { await committer.run() }
        running.cancel()
        await running.value
        #expect(try await appends.value.sorted() == Array(1...50))
        await #expect(throws: StoreError.unavailable("the hub is shutting down")) {
            try await committer.append(AppendRequest(topic: "a:1", name: "n", data: "1", retainCount: 100))
        }
    }

    /// A committer whose loop has not started, with `count` appends waiting on it.
    private static func committerWithQueuedAppends(_ count: Int) async throws -> (GroupCommitter, Task<[Int64], any Error>) {
        let committer = GroupCommitter(store: try SQLiteStore(path: temporaryDatabase(), durability: .normal))
        let appends = append(count, to: committer)
        let deadline = ContinuousClock.now + .seconds(10)
        while committer.waitingCount < count {
            try #require(ContinuousClock.now < deadline, "the appends were not queued within 10 s")
            try await Task.sleep(for: .milliseconds(1))
        }
        return (committer, appends)
    }

    /// `count` appends to one topic, each in its own task; their offsets once all are committed.
    private static func append(_ count: Int, to committer: GroupCommitter) -> Task<[Int64], any Error> {
        Task {
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        try await committer.append(AppendRequest(topic: "a:1", name: "n", data: "1", retainCount: 100)).event.offset
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
    }

    @Test func anAppendRefusedAtOnceThrowsAndNeverCallsItsCompletion() async throws {
        let committer = GroupCommitter(store: try SQLiteStore(path: temporaryDatabase(), durability: .normal), maxWaiting: 1)
        let completions = Seen()
        let request = AppendRequest(topic: "a:1", name: "n", data: "1", retainCount: 10)
        try committer.append(request) { completions.append([(try? $0.get())?.event.offset ?? -1]) }
        #expect(throws: StoreError.overloaded) {
            try committer.append(request) { _ in completions.append([-2]) }
        }
        let running = Task { await committer.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while completions.all.isEmpty {
            try #require(ContinuousClock.now < deadline, "the queued append was not committed")
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(completions.all == [1], "the queued one completes from the loop; the refused one never")
        running.cancel()
        await running.value
    }

    @Test func appendsAfterShutdownAreRefused() async throws {
        let committer = GroupCommitter(store: try SQLiteStore(path: temporaryDatabase()))
        let running = Task { await committer.run() }
        running.cancel()
        await running.value
        await #expect(throws: StoreError.self) {
            try await committer.append(AppendRequest(topic: "a:1", name: "n", data: "1", retainCount: 10))
        }
    }
}

import Synchronization

final class Seen: Sendable {
    private let state = Mutex<(all: [Int64], batches: Int)>(([], 0))
    func append(_ offsets: [Int64]) { state.withLock { $0.all += offsets; $0.batches += 1 } }
    var all: [Int64] { state.withLock { $0.all } }
    var batches: Int { state.withLock { $0.batches } }
}
