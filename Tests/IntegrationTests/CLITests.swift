import Foundation
@testable import Hub
import Testing

/// The client commands run as an operator runs them, against a real hub.
@Suite("The switchboard CLI")
struct CLITests {
    /// Publishes an event named `name` over REST.
    private func publish(_ hub: TestHub, _ topic: String, _ name: String, token: String) async throws {
        let published = try await http(
            .POST, hub.baseURL + "/api/v1/topics/\(topic)/events", token: token, body: #"{"name":"\#(name)"}"#)
        #expect(published.status == 201, "\(published.text)")
    }

    @Test func tailSinceWithoutEpochRecoversInTheTopicsEpochThenFollowsWithoutGap() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            for n in 1...3 { try await publish(hub, "events:resume", "n\(n)", token: token) }

            let tail = try CLIProcess(["tail", "events:resume", "--since", "1", "--url", hub.baseURL, "--token", token])
            defer { tail.stop() }
            let reply = try await tail.nextFrame()
            #expect(reply["result"]?["recovered"] == .bool(true), "\(reply)")
            #expect(reply["result"]?["events"]?.array?.compactMap { $0["offset"]?.int } == [2, 3])

            try await publish(hub, "events:resume", "later", token: token)
            let live = try await tail.nextFrame()
            #expect(live["type"] == .string("event"))
            #expect(live["offset"] == .integer(4))
        }
    }

    @Test(arguments: [[], ["--since", "5"]])
    func tailExitsWithTheHubsErrorWhenARequestIsRefused(since: [String]) async throws {
        try await withHub { hub in
            let customer = try await hub.token("cust-1", [.customer])
            let tail = try await CLIProcess.run(["tail", "tickets:billing", "--url", hub.baseURL, "--token", customer] + since)
            #expect(tail.status == 1)
            #expect(tail.errorOutput == "forbidden: not allowed on tickets:billing")
            #expect(tail.output.isEmpty)
        }
    }

    @Test func tailExitsZeroWhenTheHubEndsTheSubscription() async throws {
        try await withHub { hub in
            let customer = try await hub.token("cust-1", [.customer])
            let chat = try await http(
                .POST, hub.baseURL + "/api/v1/support/chats", token: customer, body: #"{"queue":"sales","subject":"Pricing"}"#)
            let id = try #require(chat.json?["id"]?.string, "\(chat.text)")

            let tail = try CLIProcess(["tail", "chat:\(id)", "--url", hub.baseURL, "--token", customer])
            defer { tail.stop() }
            #expect(try await tail.nextFrame()["ok"] == .bool(true))
            let closed = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(id)/close", token: customer)
            #expect(closed.status == 200, "\(closed.text)")

            #expect(try await tail.exitStatus() == 0)
            let last = try #require(await tail.remainingOutput().split(separator: "\n").last)
            let frame = try JSONDecoder().decode(JSONValue.self, from: Data(last.utf8))
            #expect(frame["type"] == .string("unsubscribed"))
            #expect(frame["reason"] == .string("chat closed"))
        }
    }

    @Test func tailExitsNonZeroWhenTheHubShutsDown() async throws {
        let hub = try await TestHub.start()
        let tail = try CLIProcess(["tail", "events:bye", "--url", hub.baseURL, "--token", try await hub.token("svc", [.service])])
        defer { tail.stop() }
        #expect(try await tail.nextFrame()["ok"] == .bool(true))

        try await hub.stop()
        #expect(try await tail.exitStatus() == 1)
        #expect(try await tail.nextFrame()["code"] == .integer(1001))
        #expect(await tail.remainingErrorOutput() == "closed: 1001 server shutting down")
    }

    @Test func tailExitsNonZeroWhenItsTokenExpires() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service], ttl: 8)  // long enough to connect on a loaded machine
            let tail = try CLIProcess(["tail", "events:expiry", "--url", hub.baseURL, "--token", token])
            defer { tail.stop() }
            #expect(try await tail.nextFrame()["ok"] == .bool(true))

            #expect(try await tail.exitStatus() == 1)
            #expect(await tail.remainingErrorOutput().hasPrefix("closed: 4001"))
        }
    }

    @Test func publishAndTailReadTheHubURLAndTokenFromTheEnvironment() async throws {
        try await withHub { hub in
            let environment = ["SWITCHBOARD_URL": hub.baseURL, "SWITCHBOARD_TOKEN": try await hub.token("svc", [.service])]
            let published = try await CLIProcess.run(["publish", "events:env", "note", "{}"], environment: environment)
            #expect(published.status == 0, "\(published.errorOutput)")
            #expect(published.output.contains("\"offset\":1"))

            let tail = try CLIProcess(["tail", "events:env", "--since", "0"], environment: environment)
            defer { tail.stop() }
            let reply = try await tail.nextFrame()
            #expect(reply["result"]?["events"]?.array?.compactMap { $0["name"]?.string } == ["note"])
        }
    }

    @Test func tokenAndKeysFindTheDataDirectoryAsServeDoesWithDataWinning() async throws {
        try await withHub { hub in
            // Run from a directory without ./data, so nothing is found by accident
            let elsewhere = TestHub.temporaryDirectory()
            let config = elsewhere + "/hub.json"
            try #"{"dataDirectory":"\#(hub.dataDirectory)"}"#.write(toFile: config, atomically: true, encoding: .utf8)

            let fromEnvironment = try await CLIProcess.run(
                ["token", "--sub", "svc", "--role", "service"], environment: ["SWITCHBOARD_DATA": hub.dataDirectory], in: elsewhere)
            let fromConfig = try await CLIProcess.run(["keys", "create", "--role", "service", "--config", config], in: elsewhere)
            for credential in [fromEnvironment, fromConfig] {
                #expect(credential.status == 0, "\(credential.errorOutput)")
                let history = try await http(.GET, hub.baseURL + "/api/v1/topics/events:data/events", token: credential.output)
                #expect(history.status == 200, "the running hub accepts it")
            }

            let flagged = try await CLIProcess.run(
                ["token", "--sub", "svc", "--data", elsewhere + "/none", "--config", config],
                environment: ["SWITCHBOARD_DATA": hub.dataDirectory], in: elsewhere)
            #expect(flagged.status != 0)
            #expect(flagged.errorOutput.contains("no hub data in \(elsewhere)/none"), "\(flagged.errorOutput)")
        }
    }
}
