extension NotificationDispatcher {
    /// One message for a digest's notifications: their count as subject and title, one line
    /// per notification (its subject, title or text), and their HTML parts one after another
    /// when each has one. SMS and push text is cut to what those channels take.
    ///
    /// Its id comes from the digest (`digest-{category}-{window end}`), so the e-mail's
    /// `Message-ID` is the same on every retry whichever members it carries.
    static func digest(of items: [RenderedNotification], key: String, on channel: NotificationChannelKind) -> RenderedNotification {
        let headline = "\(items.count) \(items[0].category) notifications"
        var text = items.map { "- " + ($0.subject ?? $0.title ?? $0.text ?? "") }.joined(separator: "\n")
        // SMS bodies are counted in characters; push payloads in bytes (about 4 KB in all).
        switch channel {
        case .sms where text.count > 1600: text = text.prefix(1599) + "…"
        case .push where text.utf8.count > 3000: text = Self.prefix(of: text, utf8Bytes: 2997) + "…"
        default: break
        }
        let html = items.allSatisfy { $0.html != nil } ? items.compactMap(\.html).joined(separator: "<hr>") : nil
        return RenderedNotification(
            notificationID: "digest-" + key.replacingOccurrences(of: "@", with: "-"), type: "digest", category: items[0].category,
            isCritical: false, subject: headline, text: text, html: html, title: headline)
    }

    /// The longest prefix of `text` that fits in `limit` UTF-8 bytes, whole characters only.
    private static func prefix(of text: String, utf8Bytes limit: Int) -> String {
        var count = 0
        return String(text.prefix { character in
            count += character.utf8.count
            return count <= limit
        })
    }

    /// The most notifications one digest message carries; the rest of a window's wait for
    /// the next message, moments later.
    static let maxDigestSize = 50
}
