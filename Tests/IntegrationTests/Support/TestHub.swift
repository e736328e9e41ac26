import Channels
import Foundation
@testable import Hub
import Logging
import ServiceLifecycle

/// A real hub on a free port of 127.0.0.1 with its own temporary data directory,
/// running in this process until `stop()`.
final class TestHub: Sendable {
    let server: HubServer
    let group: ServiceGroup
    let port: Int
    let dataDirectory: String
    private let running: Task<Void, any Error>

    /// Starts a hub; `configure` adjusts the defaults first.
    static func start(
        dataDirectory: String? = nil, _ configure: (inout HubConfiguration) -> Void = { _ in }
    ) async throws -> TestHub {
        var configuration = HubConfiguration()
        configuration.port = 0
        configuration.dataDirectory = dataDirectory ?? Self.temporaryDirectory()
        configuration.durability = .normal
        configure(&configuration)
        var logger = Logger(label: "test-hub")
        logger.logLevel = .warning
        let server = try await HubServer(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = server.makeServiceGroup(signals: []) { port in continuation.yield(port) }
        let running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the hub did not start") }
        return TestHub(server: server, group: group, port: port, dataDirectory: configuration.dataDirectory, running: running)
    }

    private init(server: HubServer, group: ServiceGroup, port: Int, dataDirectory: String, running: Task<Void, any Error>) {
        self.server = server
        self.group = group
        self.port = port
        self.dataDirectory = dataDirectory
        self.running = running
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var webSocketURL: String { "ws://127.0.0.1:\(port)/v1/ws" }

    /// A token signed by this hub.
    func token(
        _ subject: String, _ roles: [Role], topics: [String]? = nil, queues: [String]? = nil, ttl: TimeInterval = 600
    ) async throws -> String {
        try await server.authenticator.mint(subject: subject, roles: roles, topics: topics, queues: queues, ttl: ttl)
    }

    /// Gracefully stops the hub and waits for it to finish.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "switchboard-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` against a fresh hub and always stops it.
func withHub<T>(
    _ configure: (inout HubConfiguration) -> Void = { _ in }, _ body: (TestHub) async throws -> T
) async throws -> T {
    let hub = try await TestHub.start(configure)
    do {
        let result = try await body(hub)
        try await hub.stop()
        return result
    } catch {
        try? await hub.stop()
        throw error
    }
}
