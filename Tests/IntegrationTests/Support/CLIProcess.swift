import Foundation
@testable import Hub

/// A `switchboard` client command (`tail`, `publish`, `token`, `keys create`) run as a
/// child process, as an operator would run it, with its outputs piped to the test.
final class CLIProcess: Sendable {
    let process: Process
    let output: FileHandle
    let errorOutput: FileHandle

    /// Starts `switchboard arguments...` in `directory` (default: this process's), with
    /// `environment` added to this process's.
    init(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws {
        process = Process()
        process.executableURL = try HubProcess.executable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        self.output = output.fileHandleForReading
        self.errorOutput = errorOutput.fileHandleForReading
        try process.run()
    }

    /// What a command run to completion left.
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errorOutput: String
    }

    /// Runs `switchboard arguments...` to completion (at most 30 s).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: String? = nil
    ) async throws -> Result {
        let command = try CLIProcess(arguments, environment: environment, in: directory)
        let status = try await command.exitStatus()
        return Result(status: status, output: await command.remainingOutput(), errorOutput: await command.remainingErrorOutput())
    }

    /// The next line of standard output, or a failure when the command ends first.
    func nextLine() async throws -> String {
        guard let line = await output.nextLine() else { throw TestFailure("switchboard \(process.arguments ?? []) ended its output") }
        return line
    }

    /// The next line of standard output parsed as JSON.
    func nextFrame() async throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(try await nextLine().utf8))
    }

    /// Waits (at most `timeout`) for the command to exit and returns its status; a command
    /// still running then is killed and the test fails.
    func exitStatus(within timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("switchboard \(process.arguments ?? []) did not exit")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Standard output not read yet, up to its end, trimmed.
    func remainingOutput() async -> String { await Self.readToEnd(output) }

    /// Standard error up to its end, trimmed.
    func remainingErrorOutput() async -> String { await Self.readToEnd(errorOutput) }

    /// Stops a command that runs until told (`tail`).
    func stop() {
        if process.isRunning { process.terminate() }
    }

    private static func readToEnd(_ handle: FileHandle) async -> String {
        let data = await offThePool { handle.readDataToEndOfFile() }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
