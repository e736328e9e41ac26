import Foundation
import GRDB
@testable import Store
import Testing

@Suite("Store health")
struct StoreHealthTests {
    @Test func healthFailsWhileCommitsFailAndRecoversOnceACommitWorksAgain() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), durability: .normal)
        _ = try store.append([Self.event(bytes: 10)])
        try await store.checkHealth()

        // Given a writer that cannot write (as on a failing disk): reads work, commits fail,
        // and so does the check's own commit.
        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = ON") }
        #expect(throws: StoreError.self) { try store.append([Self.event(bytes: 10)]) }
        await #expect(throws: StoreError.unavailable("the last commit failed, and so does a new one")) { try await store.checkHealth() }

        // Once writes work again, the check's commit shows it, with no publish needed.
        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = OFF") }
        try await store.checkHealth()
        try await store.checkHealth()
    }

    @Test func healthFailsOnceTheDatabaseFileIsRemovedOrReplaced() async throws {
        let path = temporaryDatabase()
        let store = try SQLiteStore(path: path, durability: .normal)
        try await store.checkHealth()
        try FileManager.default.removeItem(atPath: path)
        // The open store still commits, into a file nobody can find again.
        _ = try store.append([Self.event(bytes: 10)])
        await #expect(throws: StoreError.unavailable("the database file was removed or replaced")) { try await store.checkHealth() }

        _ = try SQLiteStore(path: path, durability: .normal)  // a new file at the same path
        await #expect(throws: StoreError.unavailable("the database file was removed or replaced")) { try await store.checkHealth() }
    }

    private static func event(bytes: Int) -> AppendRequest {
        AppendRequest(topic: "events:health", name: "n", data: "\"" + String(repeating: "x", count: bytes) + "\"", retainCount: 100)
    }
}
