import Foundation
@testable import Hub
import Testing

@Suite("Slow consumers")
struct SlowConsumerTests {
    @Test func aSlowConsumerIsClosedWith4008WhileAFastOneReceivesEverything() async throws {
        try await withHub({ $0.outboundQueueBytes = 64 * 1024 }) { hub in
            let token = try await hub.token("svc", [.service])
            let fast = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await fast.subscribe(1, "events:flood")

            // Given a client that subscribed and then stopped reading
            let slow = Process()
            slow.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            slow.arguments = ["python3", pythonScript("slow_consumer.py"), String(hub.port), token, "events:flood"]
            let input = Pipe()
            let output = Pipe()
            slow.standardInput = input
            slow.standardOutput = output
            try slow.run()
            defer { if slow.isRunning { slow.terminate() } }
            let lines = output.fileHandleForReading
            #expect(await lines.nextLine() == "subscribed")

            // When far more is published than its queue and socket buffers hold
            let closesBefore = try await slowConsumerCloses(hub)
            let count = 3000
            let payload = "{\"fill\":\"" + String(repeating: "x", count: 4000) + "\"}"
            let publishers = (0..<4).map { _ in SocketClient(url: hub.webSocketURL, token: token) }
            let publishing = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (p, publisher) in publishers.enumerated() {
                        group.addTask {
                            for n in stride(from: p, to: count, by: publishers.count) {
                                let reply = try await publisher.publish(n, "events:flood", data: payload)
                                #expect(reply["ok"] == .bool(true))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }

            // Then the hub closes the slow one: once it reads again it finds the close 4008
            // (within the close handshake's timeout, after which the socket is dropped)
            while try await slowConsumerCloses(hub) == closesBefore {
                try await Task.sleep(for: .milliseconds(20))
            }
            input.fileHandleForWriting.write(Data("go\n".utf8))
            let verdict = await lines.nextLine() ?? ""
            #expect(verdict.hasPrefix("close 4008"), "\(verdict)")

            // And the fast subscriber gets every event in order
            try await publishing.value
            let offsets = try await fast.events(count, within: 60).compactMap { $0["offset"]?.int }
            #expect(offsets == Array(1...Int64(count)))
        }
    }
}

/// The hub's count of slow-consumer closes, from `/metrics` (the registry is per process).
private func slowConsumerCloses(_ hub: TestHub) async throws -> Int {
    let metrics = try await http(.GET, hub.baseURL + "/metrics").text
    let line = metrics.split(separator: "\n").first { $0.hasPrefix("switchboard_ws_slow_consumer_closes_total ") }
    return line.flatMap { Int(Double($0.split(separator: " ").last!) ?? 0) } ?? 0
}

func pythonScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python").appendingPathComponent(name).path
}
