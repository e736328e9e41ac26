import Foundation
import NIOCore
import HTTPTypes
@testable import Hub
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization

/// A real WebSocket client for tests: frames it receives are parsed and queued; `send`
/// writes a text frame; `next` waits (with a deadline) for the next frame.
final class SocketClient: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let inbox = FrameInbox()
    private let connection: Task<WebSocketCloseFrame?, any Error>

    /// Connects with `token` as a Bearer header (or as `?token=` when `inQuery`).
    init(url: String, token: String?, inQuery: Bool = false) {
        let (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoingContinuation
        let inbox = self.inbox
        var headers = HTTPFields()
        var url = url
        if let token {
            if inQuery { url += "?token=" + token } else { headers[.authorization] = "Bearer " + token }
        }
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        let configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20, additionalHeaders: headers)
        connection = Task { [url] in
            defer { inbox.finish() }
            return try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                let writer = Task {
                    for await text in outgoing { try await outbound.write(.text(text)) }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                defer { writer.cancel() }
                for try await message in inbound.messages(maxSize: 16 << 20) {
                    switch message {
                    case .text(let text):
                        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
                        inbox.push(value)
                    case .binary:
                        inbox.push(.string("<binary>"))
                    }
                }
            }
        }
    }

    /// Sends a text frame.
    func send(_ text: String) {
        outgoing.yield(text)
    }

    /// The next frame, or a failure after `seconds`; nil when the connection ended.
    func next(within seconds: Double = 10) async throws -> JSONValue? {
        switch await inbox.next(within: .seconds(seconds)) {
        case .frame(let frame): return frame
        case .ended: return nil
        case .timedOut: throw TestFailure("no frame within \(seconds) s")
        }
    }

    /// The first frame, received or still to come, that satisfies `match`; frames passed
    /// over stay for later calls.
    func next(within seconds: Double = 10, where match: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        switch await inbox.next(within: .seconds(seconds), where: match) {
        case .frame(let frame): return frame
        case .ended: throw TestFailure("the connection ended while waiting")
        case .timedOut: throw TestFailure("no matching frame within \(seconds) s")
        }
    }

    /// Sends `{"op":...,"id":id,...}` and waits for the reply with that id.
    func request(_ id: Int, _ json: String, within seconds: Double = 10) async throws -> JSONValue {
        send(json)
        return try await next(within: seconds) { $0["type"] == .string("reply") && $0["id"] == .integer(Int64(id)) }
    }

    /// Closes from the client side.
    func close() { outgoing.finish() }

    /// Waits for the connection to end and returns the server's close code.
    func closeCode(within seconds: Double = 10) async throws -> UInt16? {
        let connection = connection
        return try await withThrowingTaskGroup(of: UInt16?.self) { group in
            group.addTask {
                guard let frame = try await connection.value else { return nil }
                return UInt16(webSocketErrorCode: frame.closeCode)
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw TestFailure("the connection did not close within \(seconds) s")
            }
            let code = try await group.next()!
            group.cancelAll()
            return code
        }
    }
}

extension UInt16 {
    init(webSocketErrorCode code: WebSocketErrorCode) {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        self = buffer.readInteger(as: UInt16.self) ?? 0
    }
}


/// Frames received and not yet taken, with at most one waiting taker. A taker asks for
/// the first frame matching a predicate; frames it passes over stay for later takers.
final class FrameInbox: Sendable {
    enum Next: Sendable { case frame(JSONValue), ended, timedOut }
    typealias Match = @Sendable (JSONValue) -> Bool

    private struct Waiter {
        var id: Int
        var match: Match
        var continuation: CheckedContinuation<Next, Never>
    }

    private struct State {
        var frames: [JSONValue] = []
        var isFinished = false
        var waiter: Waiter?
        var nextWaiterID = 0
    }

    private let state = Mutex(State())

    func push(_ frame: JSONValue) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            if let waiter = state.waiter, waiter.match(frame) {
                state.waiter = nil
                return waiter.continuation
            }
            state.frames.append(frame)
            return nil
        }
        waiter?.resume(returning: .frame(frame))
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: .ended)
    }

    func next(within timeout: Duration, where match: @escaping Match = { _ in true }) async -> Next {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Next? in
                if let index = state.frames.firstIndex(where: match) { return .frame(state.frames.remove(at: index)) }
                if state.isFinished { return .ended }
                state.nextWaiterID += 1
                let id = state.nextWaiterID
                state.waiter = Waiter(id: id, match: match, continuation: continuation)
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func expire(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: .timedOut)
    }
}
