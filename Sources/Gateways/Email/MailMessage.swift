import Foundation

/// One e-mail to send: who from and to, a subject, a plain-text body and optionally an
/// HTML one, and the `List-Unsubscribe` targets. Providers turn it into MIME
/// (``MIMEBuilder``) or into their API's JSON.
///
/// Its `messageID` and `date` are fixed when it is made, so every retry and every provider
/// of a failover sends the same `Message-ID`.
public struct MailMessage: Sendable, Equatable {
    /// The sender, also the SMTP envelope's `MAIL FROM`.
    public var from: MailAddress
    /// The recipients, shown in `To` and each one an envelope `RCPT TO`; at least one.
    public var to: [MailAddress]
    /// The subject: any Unicode text without line breaks.
    public var subject: String
    /// The plain-text body; line breaks of any kind are sent as CRLF.
    public var text: String
    /// The HTML body; when present the message is `multipart/alternative`.
    public var html: String?
    /// `https:` and `mailto:` URLs for `List-Unsubscribe`; an `https:` one also adds
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    public var listUnsubscribe: [String]
    /// The `Message-ID` without angle brackets: unique, ending in the sender's domain.
    public var messageID: String
    /// The `Date` header's instant.
    public var date: Date

    /// Creates a message with a fresh `Message-ID` in `from`'s domain, dated now.
    public init(
        from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
        listUnsubscribe: [String] = [], messageID: String? = nil, date: Date = Date()
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.listUnsubscribe = listUnsubscribe
        self.messageID = messageID ?? Self.makeMessageID(domain: from.domain)
        self.date = date
    }

    /// A new unique id, `<random hex>@domain`.
    public static func makeMessageID(domain: String) -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + "@" + domain
    }

    /// The envelope recipients: the `to` addresses once each, in order.
    var envelopeRecipients: [String] {
        var seen = Set<String>()
        return to.map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }
}
