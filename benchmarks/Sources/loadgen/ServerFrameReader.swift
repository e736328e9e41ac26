import NIOCore
import NIOWebSocket

/// Reads the hub's WebSocket frames from the socket's bytes, in place of NIO's
/// `ByteToMessageHandler(WebSocketFrameDecoder)`: a server's frames are never masked, so a
/// frame is its header and a slice of the bytes read, with no decoder state machine and no
/// copy unless a frame is split across reads. Subscribers read hundreds of thousands of
/// frames a second on the cores the hub runs on; NIO's decoder path was 16% of their CPU.
///
/// A masked frame or one over ``maxFrameBytes`` is a protocol error: the connection closes.
final class ServerFrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = WebSocketFrame

    /// The largest frame accepted (the load generator's limit for NIO's decoder).
    static let maxFrameBytes = 1 << 20

    /// Bytes of a frame not yet complete.
    private var partial: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var partial {
            self.partial = nil
            partial.writeBuffer(&bytes)
            bytes = partial
        }
        while true {
            switch Self.nextFrame(&bytes) {
            case .frame(let frame):
                context.fireChannelRead(wrapInboundOut(frame))
            case .incomplete:
                if bytes.readableBytes > 0 {
                    bytes.discardReadBytes()  // keep only the unfinished frame, not all it came with
                    partial = bytes
                }
                return
            case .invalid:
                context.fireErrorCaught(ServerFrameError.invalidFrame)
                context.close(promise: nil)
                return
            }
        }
    }

    private enum Next {
        case frame(WebSocketFrame)
        case incomplete
        case invalid
    }

    /// Takes the next whole frame off the front of `bytes`.
    private static func nextFrame(_ bytes: inout ByteBuffer) -> Next {
        let start = bytes.readerIndex
        guard let first = bytes.getInteger(at: start, as: UInt8.self),
              let second = bytes.getInteger(at: start + 1, as: UInt8.self) else { return .incomplete }
        guard second & 0x80 == 0 else { return .invalid }  // masked
        var headerLength = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = bytes.getInteger(at: start + 2, as: UInt16.self) else { return .incomplete }
            length = Int(extended)
            headerLength = 4
        } else if length == 127 {
            guard let extended = bytes.getInteger(at: start + 2, as: UInt64.self) else { return .incomplete }
            guard extended <= UInt64(maxFrameBytes) else { return .invalid }
            length = Int(extended)
            headerLength = 10
        }
        guard length <= maxFrameBytes, let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F) else { return .invalid }
        guard let payload = bytes.getSlice(at: start + headerLength, length: length) else { return .incomplete }
        bytes.moveReaderIndex(forwardBy: headerLength + length)
        return .frame(WebSocketFrame(fin: first & 0x80 != 0, rsv1: first & 0x40 != 0, opcode: opcode, data: payload))
    }
}

enum ServerFrameError: Error {
    /// A masked frame or a frame over the size limit.
    case invalidFrame
}
