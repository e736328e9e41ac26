import Foundation
import GRDB
@testable import Store
import Testing

@Suite("Store health")
struct StoreHealthTests {
    @Test func healthFailsWhileCommitsFailAndRecoversWithTheNextCommit() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), durability: .normal)
        _ = try store.append([Self.event(bytes: 10)])
        try await store.checkHealth()

        // Given a file that may not grow (as on a full disk): reads work, commits fail.
        try await store.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        #expect(throws: StoreError.self) { try store.append([Self.event(bytes: 100_000)]) }
        await #expect(throws: StoreError.unavailable("the last commit failed")) { try await store.checkHealth() }

        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1000000") }
        _ = try store.append([Self.event(bytes: 100_000)])
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
