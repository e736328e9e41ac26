import Foundation

/// The `switchboard` executable run as a child process, as an operator would run it.
final class HubProcess: Sendable {
    let process: Process
    let port: Int
    let output: FileHandle

    /// Starts `switchboard serve --port 0 --data DIR` with `environment` added to this
    /// process's, and waits for the line naming its URL.
    static func start(dataDirectory: String, environment: [String: String] = [:]) async throws -> HubProcess {
        let process = Process()
        process.executableURL = try executable()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        process.arguments = ["serve", "--port", "0", "--data", dataDirectory, "--log-level", "warning"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading
        while let line = await output.nextLine() {
            if let range = line.range(of: "listening on http://127.0.0.1:"), let port = Int(line[range.upperBound...]) {
                return HubProcess(process: process, port: port, output: output)
            }
        }
        throw TestFailure("switchboard serve exited before listening")
    }

    private init(process: Process, port: Int, output: FileHandle) {
        self.process = process
        self.port = port
        self.output = output
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var webSocketURL: String { "ws://127.0.0.1:\(port)/v1/ws" }

    /// Sends a signal and waits for the process to exit; returns its status.
    func stop(signal: Int32) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)  // not left running after the failed test
                throw TestFailure("switchboard did not exit")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Runs another `switchboard` command to completion and returns its standard output.
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = await offThePool { pipe.fileHandleForReading.readDataToEndOfFile() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        guard process.terminationStatus == 0 else { throw TestFailure("switchboard \(arguments) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `switchboard` binary built beside this test bundle.
    static func executable() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("switchboard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestFailure("the switchboard executable was not built beside \(beside.path)")
    }
}
