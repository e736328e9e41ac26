import Foundation

/// A Python script from `Tests/GatewaysTests/Python` running as a child process that
/// printed `listening PORT`. Stop it with ``stop()`` (SIGKILL: the test runner's blocked
/// signals are inherited, and the scripts also exit when their parent dies).
final class PythonChild: Sendable {
    /// The port the script listens on, on 127.0.0.1.
    let port: Int
    private let process: Process

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts `script` with `arguments` and waits for its `listening PORT` line.
    static func start(_ script: String, _ arguments: [String]) async throws -> PythonChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath(script)] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        while let line = await pipe.fileHandleForReading.nextLine() {
            if line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) {
                return PythonChild(process: process, port: port)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure("\(script) exited before listening")
    }

    /// Kills the child.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Kills the child and waits until it has exited, so its port is closed.
    func stopAndWait() async {
        stop()
        await offThePool { [process] in process.waitUntilExit() }
    }

    private static func scriptPath(_ script: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Python").appendingPathComponent(script).path
    }
}

extension FileHandle {
    /// The next line of a pipe, read off the cooperative pool; nil at end of file.
    func nextLine() async -> String? {
        await offThePool { [self] in
            var bytes: [UInt8] = []
            while let byte = readData(ofLength: 1).first {
                if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(byte)
            }
            return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Runs blocking work (pipe reads, a child's exit) on a thread of its own, so it never
/// starves the cooperative pool the client under test runs on.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}
