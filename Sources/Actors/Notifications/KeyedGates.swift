import Synchronization

/// One ``CommandGate`` per key, made on first use and dropped when nobody holds or waits
/// for it: serializes work per user (an inbox) without an actor per user.
final class KeyedGates: Sendable {
    private let gates = Mutex<[String: (gate: CommandGate, users: Int)]>([:])

    /// Runs `body` after every earlier `run` with the same key has finished.
    func run<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        let gate = gates.withLock { gates in
            let entry = gates[key] ?? (CommandGate(), 0)
            gates[key] = (entry.gate, entry.users + 1)
            return entry.gate
        }
        defer {
            gates.withLock { gates in
                guard let entry = gates[key] else { return }
                gates[key] = entry.users > 1 ? (entry.gate, entry.users - 1) : nil
            }
        }
        return try await gate.run(body)
    }
}
