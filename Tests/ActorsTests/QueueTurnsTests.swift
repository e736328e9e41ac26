@testable import Actors
import Synchronization
import Testing

@Suite("QueueTurns")
struct QueueTurnsTests {
    struct Refused: Error {}

    /// How many turns run at once, and the most seen.
    final class Overlap: Sendable {
        let inside = Mutex(0)
        let most = Mutex(0)
    }

    @Test func turnsOnOneQueueNeverOverlapAndAThrowingTurnIsStillPassedOn() async throws {
        let turns = QueueTurns()
        let overlap = Overlap()
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    _ = try? await turns.inTurn(queue: "sales") { () throws(Refused) -> Int in
                        let now = overlap.inside.withLock { count in
                            count += 1
                            return count
                        }
                        overlap.most.withLock { $0 = max($0, now) }
                        await Task.yield()  // give the others every chance to overlap
                        overlap.inside.withLock { $0 -= 1 }
                        if n % 3 == 0 { throw Refused() }
                        return n
                    }
                }
            }
        }
        #expect(overlap.most.withLock { $0 } == 1)
        #expect(try await turns.inTurn(queue: "sales") { () throws(Refused) in 7 } == 7, "no turn was left taken")
    }

    @Test func aTurnOnOneQueueDoesNotHoldUpAnother() async throws {
        let turns = QueueTurns()
        let (entered, enteredOnce) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseOnce) = AsyncStream.makeStream(of: Void.self)
        let sales = Task {
            await turns.inTurn(queue: "sales") { () async -> Int in
                enteredOnce.yield()
                for await _ in release { break }
                return 1
            }
        }
        for await _ in entered { break }

        // While sales is held, billing takes and ends its turn
        #expect(await turns.inTurn(queue: "billing") { () async -> Int in 2 } == 2)

        releaseOnce.yield()
        #expect(await sales.value == 1)
    }
}
