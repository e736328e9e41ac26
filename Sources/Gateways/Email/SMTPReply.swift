import NIOCore

/// One server reply: a three-digit code and its text lines (RFC 5321 §4.2), e.g.
/// `250-PIPELINING` / `250 SIZE 1000` gives code 250 and two lines.
struct SMTPReply: Sendable, Equatable {
    /// The reply code, 200 to 599.
    var code: Int
    /// The text after the code on each line.
    var lines: [String]

    /// 2xx: the command succeeded.
    var isSuccess: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (the message after DATA, an AUTH answer).
    var isIntermediate: Bool { (300..<400).contains(code) }

    /// The reply as an error: 4xx deferred (transient), anything else rejected.
    var error: EmailError {
        let text = "\(code) " + (lines.first.map { String($0.prefix(200)) } ?? "")
        return (400..<500).contains(code) ? .deferred(text, status: code) : .rejected(text, status: code)
    }
}

/// Splits the server's byte stream into ``SMTPReply`` values. A line longer than 4 KiB,
/// or one that does not start with a code, is a protocol error, so a hostile or broken
/// server cannot make the client buffer without end.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// The longest reply line accepted (RFC 5321 allows 512 octets; servers exceed it).
    static let maxLineLength = 4096
    private var pending: [String] = []
    private var pendingCode: Int?

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLineLength { throw EmailError.protocolError("a reply line is longer than 4 KiB") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard length <= Self.maxLineLength else { throw EmailError.protocolError("a reply line is longer than 4 KiB") }
        var line = buffer.readString(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let code = Int(line.prefix(3)), (200...599).contains(code), bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-"),
              pendingCode == nil || pendingCode == code
        else { throw EmailError.protocolError("the server sent a malformed reply") }
        pending.append(String(line.dropFirst(4)))
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") {
            pendingCode = code
        } else {
            context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: pending)))
            pending = []
            pendingCode = nil
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        .needMoreData
    }
}
