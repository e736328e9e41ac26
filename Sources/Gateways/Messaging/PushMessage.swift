/// One notification to one device.
///
/// The provider checks it before any request: `token` must be 1 to 4,096 characters, else
/// ``MessagingError/invalidRecipient(_:status:)``; `title` may hold at most 200 characters,
/// `text` at most 4,000, and no `data` key may be one the push service reserves (`from`,
/// `message_type`, or starting with `google` or `gcm`), else
/// ``MessagingError/invalidMessage(_:)``.
public struct PushMessage: Sendable, Equatable {
    /// The device's registration token.
    public var token: String
    /// The notification's title.
    public var title: String
    /// The notification's body text.
    public var text: String
    /// Key-value pairs handed to the app with the notification; not sent when empty.
    public var data: [String: String]

    /// Creates a message; nothing is checked until it is sent.
    public init(token: String, title: String, text: String, data: [String: String] = [:]) {
        self.token = token
        self.title = title
        self.text = text
        self.data = data
    }

    /// Throws when the message must not be sent as it is.
    func validate() throws(MessagingError) {
        guard !token.isEmpty, token.count <= 4096 else { throw .invalidRecipient("the push token must hold 1 to 4096 characters") }
        guard title.count <= 200 else { throw .invalidMessage("the push title has \(title.count) characters, at most 200 are allowed") }
        guard text.count <= 4000 else { throw .invalidMessage("the push text has \(text.count) characters, at most 4000 are allowed") }
        if let key = data.keys.sorted().first(where: Self.isReserved) {
            throw .invalidMessage("the push data key \"\(key)\" is reserved by the push service")
        }
    }

    /// Whether FCM refuses `key` in `data`.
    private static func isReserved(_ key: String) -> Bool {
        ["from", "message_type"].contains(key) || key.hasPrefix("google") || key.hasPrefix("gcm")
    }
}
