@testable import Actors
import Channels
import Foundation
import Store
import Testing

/// A counter entity: the smallest thing with state, commands, events and a timer.
actor Counter: Entity {
    struct State: Codable, Sendable, Equatable {
        var count = 0
        var alarms = 0
    }

    static let kind = "counter"
    static func initialState(id: String) -> State { State() }

    struct Added: Decodable {
        var by: Int
    }

    static func apply(_ event: StoredEvent, to state: inout State) {
        switch event.name {
        case "counter.added":
            state.count += (try? JSONDecoder().decode(Added.self, from: Data(event.data.utf8)))?.by ?? 0
        case "counter.alarm": state.alarms += 1
        default: break
        }
    }

    var state: State
    let journal: Journal

    init(state: State, journal: Journal) {
        self.state = state
        self.journal = journal
    }

    /// Reads the count, suspends, then records: only serialized commands keep `before` exact.
    func add(_ by: Int) async throws -> Int {
        let before = state.count
        try await Task.sleep(for: .milliseconds(1))
        try await emit("counter.added", data: "{\"by\":\(by),\"before\":\(before)}")
        return state.count
    }

    func setAlarm(in delay: TimeInterval) async throws {
        try await journal.setTimer("alarm", at: Date(timeIntervalSinceNow: delay))
    }

    func timerFired(_ name: String) async {
        _ = try? await emit("counter.alarm", data: "{}")
    }
}

/// A real store and committer in a temporary file, and a registry over them.
struct Runtime {
    let path: String
    let store: SQLiteStore
    let committer: GroupCommitter
    let topics: Topics
    let registry: EntityRegistry<Counter>
    let running: Task<Void, any Error>

    static func start(path: String = NSTemporaryDirectory() + "actors-\(UUID()).sqlite", settings: EntitySettings) throws -> Runtime {
        let store = try SQLiteStore(path: path, durability: .normal)
        let committer = GroupCommitter(store: store)
        var policies = NamespacePolicy.defaults
        policies["counter"] = NamespacePolicy(
            subscribe: AccessRule(roles: [.admin]), publish: AccessRule(roles: [.admin]), historySize: 100_000,
            historyAgeSeconds: 86400, presence: false)
        let topics = Topics(store: store, committer: committer, policies: policies)
        let registry = EntityRegistry<Counter>(topics: topics, store: store, settings: settings, logger: .init(label: "test"))
        let running = Task {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await committer.run() }
                group.addTask { try await registry.run() }
            }
        }
        return Runtime(path: path, store: store, committer: committer, topics: topics, registry: registry, running: running)
    }

    func stop() async {
        running.cancel()
        _ = await running.result
    }
}

@Suite("Entity registry")
struct EntityRegistryTests {
    @Test func anEntityComesBackFromItsSnapshotAndTheEventsAfterIt() async throws {
        let first = try Runtime.start(settings: EntitySettings(snapshotEvery: 3))
        for _ in 0..<7 { _ = try await first.registry.perform("a") { try await $0.add(2) } }
        let snapshot = try #require(try await first.store.snapshot(kind: "counter", id: "a"))
        #expect(snapshot.position.offset == 6, "every third event")
        await first.stop()

        // A new process: the snapshot (6 events) plus the seventh event
        let second = try Runtime.start(path: first.path, settings: EntitySettings(snapshotEvery: 3))
        let count = try await second.registry.perform("a") { await $0.state.count }
        #expect(count == 14)
        await second.stop()
    }

    @Test func commandsToOneEntityRunOneAtATimeInArrivalOrder() async throws {
        let runtime = try Runtime.start(settings: EntitySettings())
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await runtime.registry.perform("busy") { try await $0.add(1) } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == Array(1...50))
        let (_, events) = try await runtime.topics.history(
            of: TopicName("counter:busy")!, since: nil, limit: 100, includingStaffEvents: true)
        // Each command saw the state the previous one left: no two read the same count.
        #expect(events.map { $0.data } == (0..<50).map { "{\"by\":1,\"before\":\($0)}" })
        await runtime.stop()
    }

    @Test func theLiveCountStaysUnderItsBoundAndEvictedEntitiesKeepTheirState() async throws {
        let runtime = try Runtime.start(settings: EntitySettings(maxLive: 20, snapshotEvery: 1000))
        for id in 0..<200 {
            _ = try await runtime.registry.perform("n\(id)") { try await $0.add(id) }
            #expect(runtime.registry.liveCount <= 20)
        }
        for id in [0, 57, 199] {
            #expect(try await runtime.registry.perform("n\(id)") { await $0.state.count } == id)
        }
        await runtime.stop()
    }

    @Test func idleEntitiesArePassivatedWithASnapshot() async throws {
        let runtime = try Runtime.start(settings: EntitySettings(idleTimeout: .milliseconds(100), timerPollInterval: .milliseconds(50)))
        _ = try await runtime.registry.perform("sleepy") { try await $0.add(5) }
        #expect(runtime.registry.liveCount == 1)
        while runtime.registry.liveCount > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await runtime.store.snapshot(kind: "counter", id: "sleepy")?.position.offset == 1)
        await runtime.stop()
    }

    @Test func aTimerSetBeforeARestartFiresAfterIt() async throws {
        let first = try Runtime.start(settings: EntitySettings(timerPollInterval: .milliseconds(50)))
        try await first.registry.perform("clock") { try await $0.setAlarm(in: 0.3) }
        await first.stop()

        let second = try Runtime.start(path: first.path, settings: EntitySettings(timerPollInterval: .milliseconds(50)))
        var alarms = 0
        for _ in 0..<100 where alarms == 0 {
            try await Task.sleep(for: .milliseconds(50))
            alarms = try await second.registry.perform("clock") { await $0.state.alarms }
        }
        #expect(alarms == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await second.registry.perform("clock") { await $0.state.alarms } == 1, "a fired timer is removed")
        await second.stop()
    }

    @Test func anInvalidIDIsRefused() async throws {
        let runtime = try Runtime.start(settings: EntitySettings())
        await #expect(throws: EntityError.self) { try await runtime.registry.perform("has space") { await $0.state.count } }
        #expect(runtime.registry.liveCount == 0)
        await runtime.stop()
    }
}
