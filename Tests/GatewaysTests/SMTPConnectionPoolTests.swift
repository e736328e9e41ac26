import Foundation
import Testing
@testable import Gateways

/// Connection reuse, the pool bound, idle timeouts and stale connections, counted at the
/// server.
@Suite("SMTPClient connection pool")
struct SMTPConnectionPoolTests {
    @Test func twoMessagesShareOneConnection() async throws {
        let server = try await SMTPTestServer.start(["--pipelining"])
        defer { server.stop() }
        try await server.withClient(try server.settings()) { client in
            _ = try await client.send(Mail.message(subject: "first"))
            _ = try await client.send(Mail.message(subject: "second"))
        }
        let messages = try await server.waitForMessages(2)
        #expect(messages.map(\.connection) == [1, 1])
        #expect(try server.events().filter { $0.event == "connect" }.count == 1)
    }

    @Test func concurrentSendsStayWithinThePoolBound() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var settings = try server.settings()
        settings.maxConnections = 2
        try await server.withClient(settings) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 { group.addTask { _ = try await client.send(Mail.message(subject: "message \(index)")) } }
                try await group.waitForAll()
            }
        }
        let messages = try await server.waitForMessages(8)
        #expect(Set(messages.map(\.connection)).count <= 2)
        #expect(try server.events().filter { $0.event == "connect" }.count <= 2)
    }

    @Test func idleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var settings = try server.settings()
        settings.idleTimeout = .milliseconds(200)
        try await server.withClient(settings) { client in
            _ = try await client.send(Mail.message())
            #expect(try await eventually { try server.events().contains { $0.event == "disconnect" } })
            #expect(await client.openConnections == 1)  // counted until the next lease finds it closed
            _ = try await client.send(Mail.message())
            #expect(await client.openConnections == 1)
        }
        #expect(try server.events().filter { $0.event == "connect" }.count == 2)
    }

    @Test func connectionTheServerDroppedIsDiscardedAndTheSendSucceeds() async throws {
        let server = try await SMTPTestServer.start(["--close-after-message"])
        defer { server.stop() }
        try await server.withClient(try server.settings()) { client in
            _ = try await client.send(Mail.message(subject: "first"))
            #expect(try await eventually { try server.events().contains { $0.event == "disconnect" } })
            _ = try await client.send(Mail.message(subject: "second"))
        }
        #expect(try await server.waitForMessages(2).map(\.connection) == [1, 2])
    }

    @Test func cancelledSendThrowsCancelled() async throws {
        let server = try await SMTPTestServer.start(["--silent"])
        defer { server.stop() }
        try await server.withClient(try server.settings()) { client in
            let task = Task { await failure(sending: Mail.message(), via: client) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            #expect(await task.value?.code == "email_cancelled")
        }
    }
}
