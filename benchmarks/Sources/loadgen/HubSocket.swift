#if canImport(Glibc)
import Glibc
#endif
import HummingbirdWSClient
import Logging
import Synchronization

/// Opens WebSocket connections to the hub with the bearer token.
enum HubSocket {
    static let logger: Logger = {
        var logger = Logger(label: "loadgen")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `handler` on a new connection; returns the server's close frame, if any.
    @discardableResult
    static func connect(
        _ hub: HubOptions, handler: @escaping WebSocketDataHandler<WebSocketClient.Context>
    ) async throws -> WebSocketCloseFrame? {
        try await WebSocketClient.connect(
            url: hub.webSocketURL,
            configuration: .init(
                maxFrameSize: 1 << 20, additionalHeaders: [.authorization: "Bearer " + hub.token],
                closeTimeout: .seconds(2)),
            logger: logger, handler: handler)
    }

    /// A run's topic ids are unique, so offsets start fresh and no other run's events mix in.
    static let runID: String = "\(getpid())-\(Monotonic.now() / 1_000_000 % 10_000_000)"
}

/// How many connections have finished their handshake and subscribe, and how many failed.
final class Progress: Sendable {
    let ready = Atomic<Int>(0)
    let failed = Atomic<Int>(0)

    var settled: Int { ready.load(ordering: .relaxed) + failed.load(ordering: .relaxed) }

    /// Waits until `count` connections have settled or `timeout` seconds passed; false on timeout.
    func waitForSettled(_ count: Int, timeout: Double) async throws -> Bool {
        let deadline = Monotonic.now() + UInt64(timeout * 1e9)
        while settled < count {
            if Monotonic.now() > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// Holds a value written by a connection's handler and read after it returns.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}
