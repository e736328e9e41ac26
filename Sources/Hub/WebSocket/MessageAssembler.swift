import Channels
import NIOCore
import NIOWebSocket

/// Turns a client's data frames into whole messages (RFC 6455 §5.4) and enforces the rules a
/// server must: client frames are masked, reserved bits are used only by a negotiated extension,
/// continuations follow a started message, and a message stays within `maxBytes`.
///
/// Pure and synchronous, so it is tested without sockets. Ping, pong and close frames are
/// answered by ``SocketHandler`` (they may arrive between fragments); any other opcode here
/// is a protocol error.
struct MessageAssembler {
    /// A message put together, ready to be decoded.
    struct Message: Equatable {
        var opcode: WebSocketOpcode
        var data: ByteBuffer
        /// Set when the first frame had RSV1: the payload is deflated (permessage-deflate).
        var isCompressed: Bool
    }

    /// What one frame produced.
    enum Outcome: Equatable {
        /// A fragment was kept; the message is not complete yet.
        case incomplete
        case message(Message)
        /// The client broke the protocol; the connection is closed with this reason.
        case violation(CloseReason)
    }

    /// The largest message, in bytes of payload as received.
    let maxBytes: Int
    /// Whether RSV1 may mark a compressed message (permessage-deflate was negotiated).
    let allowsCompression: Bool
    private var partial: Message?

    init(maxBytes: Int, allowsCompression: Bool) {
        self.maxBytes = maxBytes
        self.allowsCompression = allowsCompression
    }

    /// Takes a text, binary or continuation frame.
    mutating func receive(_ frame: WebSocketFrame) -> Outcome {
        guard frame.maskKey != nil else { return .violation(.protocolError("client frames must be masked")) }
        guard !frame.rsv2, !frame.rsv3 else { return .violation(.protocolError("reserved bits are set")) }
        var message: Message
        switch frame.opcode {
        case .text, .binary:
            guard partial == nil else { return .violation(.protocolError("a new message started inside a fragmented one")) }
            guard !frame.rsv1 || allowsCompression else { return .violation(.protocolError("RSV1 is set but no extension uses it")) }
            message = Message(opcode: frame.opcode, data: frame.unmaskedData, isCompressed: frame.rsv1)
        case .continuation:
            guard var started = partial.take() else { return .violation(.protocolError("a continuation frame without a message")) }
            guard !frame.rsv1 else { return .violation(.protocolError("RSV1 is set on a continuation frame")) }
            var data = frame.unmaskedData
            started.data.writeBuffer(&data)
            message = started
        default:
            return .violation(.protocolError("unexpected opcode"))
        }
        guard message.data.readableBytes <= maxBytes else {
            partial = nil
            return .violation(.messageTooLarge)
        }
        if frame.fin {
            partial = nil
            return .message(message)
        }
        partial = message
        return .incomplete
    }
}

extension CloseReason {
    /// 1002: the client broke the WebSocket protocol.
    static func protocolError(_ reason: String) -> CloseReason { CloseReason(code: 1002, reason: reason) }
    /// 1007: a text message is not UTF-8, or a compressed one does not inflate.
    static func invalidPayload(_ reason: String) -> CloseReason { CloseReason(code: 1007, reason: reason) }
    /// 1009: a message over the size limit.
    static let messageTooLarge = CloseReason(code: 1009, reason: "message too large")
    /// 1006: the socket refused a write; the client is gone.
    static let writeFailed = CloseReason(code: 1006, reason: "write failed")
}
