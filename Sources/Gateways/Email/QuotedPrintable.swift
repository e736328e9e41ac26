/// Quoted-printable (RFC 2045 §6.7) for bodies that may not travel as 8bit: every output
/// line is at most 76 characters, long lines are split with soft line breaks (`=` at the
/// end), line breaks are CRLF, and trailing spaces or tabs are escaped so that no relay
/// can strip them.
enum QuotedPrintable {
    /// The encoding of `text`'s UTF-8 bytes; `text`'s line breaks (CRLF, CR or LF) become
    /// CRLF hard breaks.
    static func encode(_ text: String) -> String {
        BodyLines.split(text).map { encodeLine(Array($0.utf8)) }.joined(separator: "\r\n")
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal = (33...126).contains(byte) && byte != UInt8(ascii: "=")
                || (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast
            let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            // A soft break takes one column, so a line that goes on holds 75 characters;
            // the line's last token may use the 76th.
            if lineLength + token.count > (isLast ? 76 : 75) {
                output += [UInt8(ascii: "="), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
                lineLength = 0
            }
            output += token
            lineLength += token.count
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Splits text into lines at CRLF, CR or LF, the way every body encoding here sees them.
enum BodyLines {
    /// The lines of `text`, without their breaks; a trailing break gives a last empty line.
    static func split(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
    }
}
