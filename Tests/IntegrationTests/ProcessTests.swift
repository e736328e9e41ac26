import Foundation
@testable import Hub
import Testing

@Suite("The switchboard process")
struct ProcessTests {
    @Test func everyAcknowledgedPublishSurvivesSIGKILL() async throws {
        let data = TestHub.temporaryDirectory()
        let hub = try await HubProcess.start(dataDirectory: data)
        let token = try await HubProcess.run(["token", "--sub", "svc", "--role", "service", "--data", data])

        // Given 8 publishers racing; record every acknowledgement
        let publishers = (0..<8).map { _ in SocketClient(url: hub.webSocketURL, token: token) }
        let acknowledged = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for publisher in publishers {
                group.addTask {
                    var offsets: [Int64] = []
                    for n in 0..<100 {
                        let reply = try await publisher.publish(n, "events:durable", data: "{\"n\":\(n)}")
                        offsets.append(try #require(reply["result"]?["offset"]?.int))
                    }
                    return offsets
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        // When the process is killed right after the last ack
        #expect(try await hub.stop(signal: SIGKILL) == SIGKILL)

        // Then a restarted hub has every acknowledged event
        let restarted = try await HubProcess.start(dataDirectory: data)
        let history = try await http(.GET, restarted.baseURL + "/api/v1/topics/events:durable/events?since=0&limit=1000", token: token)
        let stored = Set(history.json?["events"]?.array?.compactMap { $0["offset"]?.int } ?? [])
        #expect(acknowledged.count == 800)
        #expect(Set(acknowledged).isSubset(of: stored))
        #expect(try await restarted.stop(signal: SIGTERM) == 0)
    }

    @Test func sigtermDrainsClientsWith1001AndExitsZero() async throws {
        let data = TestHub.temporaryDirectory()
        let hub = try await HubProcess.start(dataDirectory: data)
        let token = try await HubProcess.run(["token", "--sub", "svc", "--role", "service", "--data", data])
        let client = SocketClient(url: hub.webSocketURL, token: token)
        _ = try await client.subscribe(1, "events:term")
        let exit = Task { try await hub.stop(signal: SIGTERM) }
        let frame = try await client.next { $0["type"] == .string("disconnect") }
        #expect(frame["code"] == .integer(1001))
        #expect(try await client.closeCode() == 1001)
        #expect(try await exit.value == 0)
    }

    @Test func sigtermIsNotHeldByAConnectionThatNeverSentARequest() async throws {
        let hub = try await HubProcess.start(dataDirectory: TestHub.temporaryDirectory())
        let silent = try connectedSocket(port: hub.port)
        defer { close(silent) }
        // Connections are accepted in order: once this is answered, the hub holds the silent one.
        let health = try await http(.GET, hub.baseURL + "/healthz")
        #expect(health.status == 200)
        #expect(try await hub.stop(signal: SIGTERM) == 0)
    }

    @Test func aFreshHubShowsTheSlowConsumerCounterAtZero() async throws {
        // A process of its own: in this one, other tests may have closed slow consumers.
        let hub = try await HubProcess.start(dataDirectory: TestHub.temporaryDirectory())
        let metrics = try await http(.GET, hub.baseURL + "/metrics").text
        #expect(metrics.contains("\nswitchboard_ws_slow_consumer_closes_total 0\n"), "\(metrics.prefix(400))")
        #expect(try await hub.stop(signal: SIGTERM) == 0)
    }

    /// A TCP connection to the hub on 127.0.0.1 that sends nothing.
    private func connectedSocket(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("cannot open a socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
        return descriptor
    }

    @Test func tokensAreNotMintedForADirectoryWithoutAHub() async throws {
        let empty = TestHub.temporaryDirectory() + "/nothing-here"
        await #expect(throws: TestFailure.self) {
            try await HubProcess.run(["token", "--sub", "svc", "--data", empty])
        }
        #expect(!FileManager.default.fileExists(atPath: empty))
    }

    @Test func cliPublishAndTailTalkToARunningHub() async throws {
        let data = TestHub.temporaryDirectory()
        let hub = try await HubProcess.start(dataDirectory: data)
        let key = try await HubProcess.run(["keys", "create", "--role", "service", "--data", data])
        #expect(key.hasPrefix("sk_"))
        let published = try await HubProcess.run(["publish", "events:cli", "note", #"{"a":1}"#, "--url", hub.baseURL, "--token", key])
        #expect(published.contains("\"offset\":1"))

        let tail = Process()
        tail.executableURL = try HubProcess.executable()
        tail.arguments = ["tail", "events:cli", "--since", "0", "--url", hub.baseURL, "--token", key]
        let pipe = Pipe()
        tail.standardOutput = pipe
        try tail.run()
        let reply = await pipe.fileHandleForReading.nextLine() ?? ""
        #expect(reply.contains("\"recovered\":true") && reply.contains("\"note\""))
        _ = try await HubProcess.run(["publish", "events:cli", "later", "{}", "--url", hub.baseURL, "--token", key])
        let live = await pipe.fileHandleForReading.nextLine() ?? ""
        #expect(live.contains("\"type\":\"event\"") && live.contains("\"later\""))
        tail.terminate()
        #expect(try await hub.stop(signal: SIGTERM) == 0)
    }
}
