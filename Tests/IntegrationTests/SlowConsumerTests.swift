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
            let count = 3000
            let payload = "{\"fill\":\"" + String(repeating: "x", count: 4000) + "\"}"
            let publishers = (0..<4).map { _ in SocketClient(url: hub.webSocketURL, token: token) }
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

            // Then the fast subscriber gets every event in order
            let offsets = try await fast.events(count, within: 60).compactMap { $0["offset"]?.int }
            #expect(offsets == Array(1...Int64(count)))
            // And the slow one, once it reads again, finds it was closed with 4008
            input.fileHandleForWriting.write(Data("go\n".utf8))
            let verdict = await lines.nextLine() ?? ""
            #expect(verdict.hasPrefix("close 4008"), "\(verdict)")
        }
    }
}

func pythonScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Python").appendingPathComponent(name).path
}
