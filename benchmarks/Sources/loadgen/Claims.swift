import Synchronization

/// Hands out work item numbers 0, 1, 2... each once, to many connections at once: the
/// counted publishers' events, the REST workers' requests.
final class Claims: Sendable {
    private let total: Int
    private let deadline: UInt64?
    private let next = Atomic<Int>(0)

    /// Numbers `0..<total`, and none once the clock reads `deadline` (``Monotonic``), if given.
    init(total: Int, until deadline: UInt64? = nil) {
        self.total = total
        self.deadline = deadline
    }

    /// The next number, or nil once all are taken or the deadline has passed.
    func claim() -> Int? {
        if let deadline, Monotonic.now() >= deadline { return nil }
        let number = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return number < total ? number : nil
    }
}
