import NIOCore

/// The bytes sent after DATA's 354 (RFC 5321 §4.5.2): the message with a `.` doubled at
/// the start of every line that begins with one, ending in CRLF `.` CRLF, so no line of
/// the message can end the transfer early.
enum SMTPData {
    /// `message`, dot-stuffed and terminated.
    static func stuffed(_ message: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        for byte in message {
            if atLineStart, byte == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeInteger(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !message.isEmpty, !message.suffix(2).elementsEqual("\r\n".utf8) { buffer.writeString("\r\n") }
        buffer.writeString(".\r\n")
        return buffer
    }
}
