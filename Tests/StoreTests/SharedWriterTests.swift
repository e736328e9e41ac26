import GRDB
@testable import Store
import Testing

@Suite("SharedWriter")
struct SharedWriterTests {
    struct Refused: Error {}

    @Test func concurrentWritesAllCommitAndOneThatThrowsFailsAlone() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        try await store.sharedWrite { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n == 17 { throw Refused() }  // after its insert: the savepoint must undo it
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0 }.count == 1)
        let rows = try await store.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(rows == Array(0..<200).filter { $0 != 17 })
    }

    @Test func aWriteSeesTheWritesCommittedBeforeItInTheSameTransaction() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.write { db in try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)") }
        let results = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    (try? await store.sharedWrite { db in
                        try db.execute(sql: "INSERT INTO t (k, v) VALUES ('x', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1")
                        return try Int.fetchOne(db, sql: "SELECT v FROM t WHERE k = 'x'") ?? 0
                    }) ?? 0
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...20), "each counted on from the one before it")
    }
}
