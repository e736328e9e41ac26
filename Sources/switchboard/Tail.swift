import ArgumentParser
import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket

/// `switchboard tail TOPIC`: subscribes over WebSocket and prints each frame as it arrives,
/// until the hub refuses the subscription, ends it, or closes the connection.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a topic's events live.",
        discussion: """
            Prints the subscribe reply, then every frame the hub sends (events, presence, \
            signals), one JSON object per line.

            With --since N, the reply holds the events after offset N ("recovered":true) and \
            live events follow with no gap and no duplicate. --since 0 recovers from the \
            start. For N > 0 the offset must belong to the topic's epoch: without --epoch, \
            tail first asks the hub for the topic's current epoch (a history request) and \
            recovers in it. When the hub cannot recover (an epoch that differs, trimmed \
            history, too many events), the reply says "recovered":false and tail goes on \
            live from the reply's offset.

            Exits 0 when the hub ends the subscription (an "unsubscribed" frame, e.g. a \
            closed chat) or closes the connection with 1000. Exits 1 when the hub refuses a \
            request ("<code>: <message>" on standard error, e.g. forbidden) or closes the \
            connection otherwise ("closed: <code> <reason>", e.g. 1001 on shutdown, 4001 \
            when the token expires).
            """)

    @OptionGroup var hub: HubConnectionOptions
    @Argument(help: "The topic, e.g. chat:8f2c.") var topic: String
    @Option(help: "Recover the events after this offset first.") var since: Int?
    @Option(help: "The epoch of --since (default: the topic's current epoch).") var epoch: String?

    func validate() throws {
        if let since, since < 0 { throw ValidationError("--since must not be negative") }
        if epoch != nil, since == nil { throw ValidationError("--epoch needs --since") }
    }

    func run() async throws {
        let url = hub.baseURL.replacingOccurrences(of: "http", with: "ws", options: .anchored) + "/v1/ws"
        let token = try hub.bearer()
        var logger = Logger(label: "switchboard.tail")
        logger.logLevel = .warning
        let closeFrame = try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 64 << 20, additionalHeaders: [.authorization: "Bearer " + token]), logger: logger
        ) { inbound, outbound, _ in
            var frames = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
            do {
                try await follow(&frames, outbound)
            } catch let refusal as Refusal {
                printError("\(refusal.code): \(refusal.message)")
                try await outbound.close(.normalClosure, reason: nil)
                throw ExitCode.failure
            }
        }
        guard let closeFrame else {
            printError("closed: the connection ended without a close frame")
            throw ExitCode.failure
        }
        guard closeFrame.closeCode == .normalClosure else {
            printError("closed: \(UInt16(webSocketErrorCode: closeFrame.closeCode)) \(closeFrame.reason ?? "")")
            throw ExitCode.failure
        }
    }

    /// Subscribes (looking up the epoch first when `--since` needs one) and prints every
    /// frame until the connection ends or the hub ends the subscription; throws `Refusal`
    /// when the hub refuses a request.
    private func follow(
        _ frames: inout WebSocketInboundMessageStream.AsyncIterator, _ outbound: WebSocketOutboundWriter
    ) async throws {
        var since = since.map { Position(offset: $0, epoch: epoch ?? "") }
        if let offset = since?.offset, offset > 0, epoch == nil {
            // A history reply carries the topic's current epoch ("" before its first event).
            try await send(Request(op: "history", id: 1, topic: topic, limit: 1), outbound)
            // Anything else first (a disconnect frame as the hub shuts down) is printed.
            var reply: ServerFrame?
            while reply == nil, let received = try await next(&frames) {
                if received.frame.type == "reply" { reply = received.frame } else { printLine(received.text) }
            }
            guard let reply else { return }  // the connection ended
            since?.epoch = reply.result?.epoch ?? ""
        }
        try await send(Request(op: "subscribe", id: 2, topic: topic, since: since), outbound)
        while let received = try await next(&frames) {
            printLine(received.text)
            if received.frame.type == "unsubscribed", received.frame.topic == topic { return }
        }
    }

    /// The next text frame as received and as parsed; nil when the connection ended.
    /// Throws `Refusal` for a failed reply or an error frame.
    private func next(_ frames: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> (text: String, frame: ServerFrame)? {
        while let message = try await frames.next() {
            guard case .text(let text) = message else { continue }
            let frame = try JSONDecoder().decode(ServerFrame.self, from: Data(text.utf8))
            if let refusal = frame.error { throw refusal }
            return (text, frame)
        }
        return nil
    }

    /// Sends `request` as one text frame.
    private func send(_ request: Request, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.text(String(decoding: try JSONEncoder().encode(request), as: UTF8.self)))
    }
}

/// A client frame `tail` sends; members left nil are not sent.
private struct Request: Encodable {
    var op: String
    var id: Int
    var topic: String
    var since: Position?
    var limit: Int?
}

/// A topic position, as `since` is sent.
private struct Position: Encodable {
    var offset: Int
    var epoch: String
}

/// The members of a server frame that `tail` acts on; the frame is printed as received.
private struct ServerFrame: Decodable {
    struct Result: Decodable {
        var epoch: String?
    }

    var type: String
    var topic: String?
    var result: Result?
    /// Set on a failed reply and on an error frame.
    var error: Refusal?
}

/// The hub's `{"code","message"}` answer to a request it refused.
private struct Refusal: Error, Decodable {
    var code: String
    var message: String
}
