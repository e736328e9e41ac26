extension MailMessage {
    /// Refuses a message that no provider may send as it is: no recipients, a line break
    /// in the subject or `Message-ID` (header injection), or a `List-Unsubscribe` entry
    /// that is not an `https:`, `http:` or `mailto:` URL free of spaces, `<`, `>` and `,`.
    /// Addresses were checked when they were made.
    public func validate() throws(EmailError) {
        guard !to.isEmpty else { throw .invalidMessage("a message needs at least one recipient") }
        try Self.refuseLineBreaks(in: subject, header: "Subject")
        try Self.refuseLineBreaks(in: messageID, header: "Message-ID")
        guard messageID.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" }), messageID.contains("@") else {
            throw .invalidMessage("a Message-ID must be printable ASCII of the form id@domain")
        }
        for url in listUnsubscribe {
            try Self.refuseLineBreaks(in: url, header: "List-Unsubscribe")
            let scheme = url.prefix { $0 != ":" }.lowercased()
            guard ["https", "http", "mailto"].contains(scheme), url.count > scheme.count + 1,
                  url.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" && $0 != "," })
            else { throw .invalidMessage("List-Unsubscribe entries must be https: or mailto: URLs") }
        }
    }

    /// Whether a `List-Unsubscribe-Post: List-Unsubscribe=One-Click` header belongs with
    /// the message (RFC 8058 needs an https target).
    var hasOneClickUnsubscribe: Bool { listUnsubscribe.contains { $0.lowercased().hasPrefix("https:") } }

    private static func refuseLineBreaks(in value: String, header: String) throws(EmailError) {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .invalidMessage("the \(header) header contains a line break")
        }
    }
}
