/// One text message to one phone number.
///
/// The provider checks it before any request: `to` must be E.164 (`+`, then 8 to 15
/// digits, the first not 0), else ``MessagingError/invalidRecipient(_:status:)``; `text`
/// must hold 1 to 1,600 characters and not be blank, else
/// ``MessagingError/invalidMessage(_:)``.
public struct SMSMessage: Sendable, Equatable {
    /// The recipient's number in E.164 form, e.g. `+4915112345678`.
    public var to: String
    /// The text; the provider splits it into segments as its network needs.
    public var text: String

    /// Creates a message; nothing is checked until it is sent.
    public init(to: String, text: String) {
        self.to = to
        self.text = text
    }

    /// The most characters (grapheme clusters) one message may hold.
    static let maxTextLength = 1600

    /// Throws when the message must not be sent as it is.
    func validate() throws(MessagingError) {
        guard Self.isE164(to) else { throw .invalidRecipient("the SMS recipient must be an E.164 number such as +4915112345678") }
        guard !text.allSatisfy(\.isWhitespace) else { throw .invalidMessage("the SMS text must not be blank") }
        guard text.count <= Self.maxTextLength else {
            throw .invalidMessage("the SMS text has \(text.count) characters, at most \(Self.maxTextLength) are allowed")
        }
    }

    /// Whether `number` is `+` followed by 8 to 15 ASCII digits, the first not 0.
    static func isE164(_ number: String) -> Bool {
        let digits = number.utf8.dropFirst()
        return number.utf8.first == UInt8(ascii: "+") && (8...15).contains(digits.count)
            && digits.first != UInt8(ascii: "0") && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
