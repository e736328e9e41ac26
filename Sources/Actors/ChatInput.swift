/// A new chat as a client asks for it, validated by ``validate()``.
public struct NewChat: Sendable, Equatable {
    /// The support queue, `[a-z0-9_-]{1,32}`; `general` when left out.
    public var queue: String
    /// An optional subject, 1 to 200 characters.
    public var subject: String?
    /// The customer; a customer's own chat always names the customer.
    public var customer: String?

    /// Creates a request.
    public init(queue: String? = nil, subject: String? = nil, customer: String? = nil) {
        self.queue = queue ?? "general"
        self.subject = subject
        self.customer = customer
    }

    /// Refuses what cannot be stored or shown (`bad_request`).
    func validate() throws(EntityError) {
        try TicketRules.checkQueue(queue)
        if let subject, !(1...200).contains(subject.count) { throw .invalid("subject must be 1 to 200 characters") }
        guard let customer, (1...128).contains(customer.utf8.count) else {
            throw .invalid("customer is required (1 to 128 bytes) when staff open a chat")
        }
    }
}

/// The field rules of chat messages.
enum ChatRules {
    /// The longest message, in characters.
    static let maxMessageLength = 4000

    static func checkText(_ text: String) throws(EntityError) {
        guard (1...maxMessageLength).contains(text.count), !text.allSatisfy(\.isWhitespace) else {
            throw .invalid("a message must be 1 to \(maxMessageLength) characters and not blank")
        }
    }
}
