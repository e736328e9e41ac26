import NIOCore

/// A text message for clients, framed for the wire once.
///
/// ``wire`` is the whole WebSocket frame a server sends for the message (RFC 6455: final,
/// text, unmasked; the header, then the payload) in one buffer. Fan-out hands the same
/// frame to every subscriber's queue, and the transport writes ``wire`` as it is: no
/// header, copy or second buffer per subscriber. A connection that compresses its messages
/// takes ``payload`` instead and frames it itself.
public struct OutboundFrame: Sendable {
    /// The frame as it goes on the wire: header, then payload.
    public let wire: ByteBuffer
    private let headerLength: Int

    /// Frames `text`.
    public init(text: String) {
        let length = text.utf8.count
        var wire = ByteBufferAllocator().buffer(capacity: Self.maxHeaderLength + length)
        Self.writeHeader(payloadLength: length, to: &wire)
        headerLength = wire.readableBytes
        wire.writeString(text)
        self.wire = wire
    }

    /// The message without its frame header (shares the bytes of ``wire``).
    public var payload: ByteBuffer {
        wire.getSlice(at: wire.readerIndex + headerLength, length: wire.readableBytes - headerLength)!
    }

    /// The largest header: 2 bytes and an 8-byte length.
    private static let maxHeaderLength = 10

    /// Writes the header of a final, unmasked text frame with this payload length.
    private static func writeHeader(payloadLength length: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x81))  // FIN, opcode 1 (text)
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
    }
}
