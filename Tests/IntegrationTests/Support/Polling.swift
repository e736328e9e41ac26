/// Waits until `condition` holds, checking every 50 ms; fails the test with `what` when it
/// still does not after `timeout`. For state that changes asynchronously with no event to await.
func poll(_ what: String, within timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
