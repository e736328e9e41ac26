import Foundation

/// Turns a ``MailMessage`` into the bytes of an RFC 5322 / MIME message, ready for SMTP
/// `DATA` (before dot-stuffing). Pure: the same message and boundary give the same bytes.
///
/// Guarantees: every line ends in CRLF; header values with CR or LF are refused instead of
/// sent (no header injection); non-ASCII header text is RFC 2047-encoded and folded under
/// 76 characters; a body travels as `7bit` when it is short-lined ASCII, as `8bit` only
/// when ``allowEightBit`` is set (the server advertised 8BITMIME), and as quoted-printable
/// otherwise.
public struct MIMEBuilder: Sendable {
    /// Whether bodies may be sent as raw UTF-8 (`8bit`); false gives quoted-printable.
    public var allowEightBit: Bool

    /// Creates a builder; 8bit bodies are off by default.
    public init(allowEightBit: Bool = false) {
        self.allowEightBit = allowEightBit
    }

    /// The message's bytes, with a random multipart boundary.
    public func build(_ message: MailMessage) throws(EmailError) -> [UInt8] {
        try build(message, boundary: "=_sb_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
    }

    /// The message's bytes with the given multipart boundary (used when there is HTML).
    public func build(_ message: MailMessage, boundary: String) throws(EmailError) -> [UInt8] {
        var head = try headers(message)
        var body: String
        if let html = message.html {
            head.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = ""
            for (type, text) in [("plain", message.text), ("html", html)] {
                let part = encodeBody(text)
                body += "--\(boundary)\r\nContent-Type: text/\(type); charset=UTF-8\r\n"
                body += "Content-Transfer-Encoding: \(part.encoding)\r\n\r\n\(part.text)\r\n"
            }
            body += "--\(boundary)--\r\n"
        } else {
            let part = encodeBody(message.text)
            head.append("Content-Type: text/plain; charset=UTF-8")
            head.append("Content-Transfer-Encoding: \(part.encoding)")
            body = part.text + "\r\n"
        }
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    private func headers(_ message: MailMessage) throws(EmailError) -> [String] {
        try message.validate()
        var from = HeaderEncoding(name: "From")
        Self.append(message.from, to: &from)
        var to = HeaderEncoding(name: "To")
        for (index, address) in message.to.enumerated() {
            if index > 0 { to.appendAttached(",") }
            Self.append(address, to: &to)
        }
        var subject = HeaderEncoding(name: "Subject")
        subject.appendText(message.subject)
        var fields = [
            from.field, to.field, subject.field, "Date: " + RFC5322Date.format(message.date),
            "Message-ID: <\(message.messageID)>", "MIME-Version: 1.0",
        ]
        if !message.listUnsubscribe.isEmpty {
            var unsubscribe = HeaderEncoding(name: "List-Unsubscribe")
            for (index, url) in message.listUnsubscribe.enumerated() {
                if index > 0 { unsubscribe.appendAttached(",") }
                unsubscribe.appendWord("<\(url)>")
            }
            fields.append(unsubscribe.field)
            if message.hasOneClickUnsubscribe {
                fields.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
            }
        }
        return fields
    }

    private static func append(_ address: MailAddress, to field: inout HeaderEncoding) {
        if let name = address.name {
            field.appendPhrase(name)
            field.appendWord("<\(address.address)>")
        } else {
            field.appendWord(address.address)
        }
    }

    /// The body's transfer encoding and text (lines joined by CRLF, no final CRLF).
    private func encodeBody(_ text: String) -> (encoding: String, text: String) {
        let lines = BodyLines.split(text)
        let fitsSMTP = lines.allSatisfy { $0.utf8.count <= 998 && !$0.utf8.contains(0) }
        if fitsSMTP, lines.allSatisfy({ $0.utf8.allSatisfy { $0 < 128 } }) {
            return ("7bit", lines.joined(separator: "\r\n"))
        }
        if fitsSMTP, allowEightBit { return ("8bit", lines.joined(separator: "\r\n")) }
        return ("quoted-printable", QuotedPrintable.encode(text))
    }
}
