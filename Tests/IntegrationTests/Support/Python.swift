import Foundation

/// Runs a client script from `Tests/IntegrationTests/Python` with `python3`, passing the
/// hub's port and a token; returns its exit status and combined output.
func runPython(_ script: String, _ arguments: CustomStringConvertible..., timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
    try await runPython(script, arguments.map(\.description), timeout: timeout)
}

/// ``runPython(_:_:timeout:)`` with the arguments as a list.
func runPython(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", pythonScript(script)] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = Task { await offThePool { String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) } }
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            process.terminate()
            throw TestFailure("\(script) did not finish in time")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return (process.terminationStatus, await output.value)
}

/// Starts a server script from `Tests/IntegrationTests/Python` and waits for its
/// `listening PORT` line; returns the process, the port and its standard output.
func startPythonServer(_ script: String, _ arguments: [String] = []) async throws -> (Process, port: Int, output: FileHandle) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", pythonScript(script)] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading
    while let line = await output.nextLine() {
        if line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) {
            return (process, port, output)
        }
    }
    if process.isRunning { process.terminate() }
    throw TestFailure("\(script) exited before listening")
}

extension FileHandle {
    /// The next line of a pipe, read off the cooperative pool; nil at end of file.
    func nextLine() async -> String? {
        await offThePool { [self] in
            var bytes: [UInt8] = []
            while true {
                let data = self.readData(ofLength: 1)
                guard let byte = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
                if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(byte)
            }
        }
    }
}

/// Runs blocking work (pipe reads) on a thread of its own, so it never starves the
/// cooperative pool that the hub under test runs on (two threads on this machine).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
