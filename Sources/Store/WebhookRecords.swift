/// A webhook endpoint as stored. Secrets are sealed (AES-GCM) by the caller; the store
/// never sees them in the clear.
public struct WebhookEndpointRecord: Sendable, Equatable {
    /// `ep_...`.
    public var id: String
    /// Where messages are POSTed.
    public var url: String
    /// Event-name patterns (`*`, `ticket.*`, exact names); a message needs one to match.
    public var events: [String]
    /// Topic patterns; empty means every topic. A pattern with `:` matches the topic name,
    /// one without matches its namespace; `*` is a trailing wildcard.
    public var topics: [String]
    /// Free text for operators.
    public var description: String?
    /// Disabled endpoints get no new messages and no deliveries.
    public var enabled: Bool
    /// Why the hub disabled it (410, failing too long); nil when enabled or disabled by hand.
    public var disabledReason: String?
    /// The signing secret, sealed.
    public var sealedSecret: [UInt8]
    /// The secret before the last rotation, sealed; it signs too until it expires.
    public var sealedPreviousSecret: [UInt8]?
    /// When the previous secret stops signing, in milliseconds since 1970.
    public var previousSecretExpiresMilliseconds: Int64?
    /// Since when every attempt has failed; nil after a success.
    public var failingSinceMilliseconds: Int64?
    /// Creation time, in milliseconds since 1970.
    public var createdMilliseconds: Int64
    /// Last change, in milliseconds since 1970. The store moves it strictly forward on every
    /// change (even within one millisecond, or when the clock steps back), so it also tells
    /// versions of the endpoint apart; it may then run a little ahead of the clock.
    public var updatedMilliseconds: Int64

    /// Creates a record.
    public init(
        id: String, url: String, events: [String], topics: [String], description: String?, enabled: Bool,
        disabledReason: String? = nil, sealedSecret: [UInt8], sealedPreviousSecret: [UInt8]? = nil,
        previousSecretExpiresMilliseconds: Int64? = nil, failingSinceMilliseconds: Int64? = nil,
        createdMilliseconds: Int64, updatedMilliseconds: Int64
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.topics = topics
        self.description = description
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.sealedSecret = sealedSecret
        self.sealedPreviousSecret = sealedPreviousSecret
        self.previousSecretExpiresMilliseconds = previousSecretExpiresMilliseconds
        self.failingSinceMilliseconds = failingSinceMilliseconds
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }
}

/// Where a webhook message is in its life.
public enum WebhookMessageStatus: String, Sendable, Codable {
    /// Waiting for its next attempt (`nextAttemptMilliseconds`).
    case pending
    /// A 2xx answer was received.
    case delivered
    /// Out of attempts, or its endpoint was disabled; it can be replayed.
    case failed
}

/// One webhook message: the body of one committed event for one endpoint, created in the
/// event's own transaction (the outbox).
public struct WebhookMessageRecord: Sendable, Equatable {
    /// `msg_...`: the `webhook-id`, the same on every attempt and replay.
    public var id: String
    /// The endpoint it goes to.
    public var endpointID: String
    /// The event name, the body's `type`.
    public var eventType: String
    /// The JSON body, fixed when the event committed.
    public var body: String
    /// Creation time (the event's commit), in milliseconds since 1970.
    public var createdMilliseconds: Int64
    /// Where it is.
    public var status: WebhookMessageStatus
    /// Attempts counted since it was created or last replayed (an attempt that ends after
    /// its endpoint was disabled is listed, not counted).
    public var attempts: Int
    /// When the next attempt is due; nil unless pending.
    public var nextAttemptMilliseconds: Int64?
    /// The last failure, for operators.
    public var lastError: String?

    /// Creates a record.
    public init(
        id: String, endpointID: String, eventType: String, body: String, createdMilliseconds: Int64,
        status: WebhookMessageStatus, attempts: Int, nextAttemptMilliseconds: Int64?, lastError: String?
    ) {
        self.id = id
        self.endpointID = endpointID
        self.eventType = eventType
        self.body = body
        self.createdMilliseconds = createdMilliseconds
        self.status = status
        self.attempts = attempts
        self.nextAttemptMilliseconds = nextAttemptMilliseconds
        self.lastError = lastError
    }
}

/// Where a pending message stands in its endpoint's due order: by due time, then by its
/// place in the outbox. A reader can go on from the last message it took
/// (``WebhookStore/dueWebhookMessages(endpointID:nowMilliseconds:after:limit:excludingSequences:)``).
/// An outcome, a replay or a disabled endpoint moves the message; nothing else does.
public struct WebhookDuePosition: Sendable, Hashable, Comparable {
    /// When the message is due, in milliseconds since 1970.
    public var dueMilliseconds: Int64
    /// The message's place in the outbox (`seq`): ascending in insertion order, never
    /// reused while the message exists.
    public var sequence: Int64

    /// Creates a position.
    public init(dueMilliseconds: Int64, sequence: Int64) {
        self.dueMilliseconds = dueMilliseconds
        self.sequence = sequence
    }

    /// Due order: the earlier due time first, then the lower sequence.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.dueMilliseconds, lhs.sequence) < (rhs.dueMilliseconds, rhs.sequence)
    }
}

/// A due message with the endpoint it goes to.
public struct WebhookDelivery: Sendable {
    /// The message.
    public var message: WebhookMessageRecord
    /// Where the message stands in the due order.
    public var position: WebhookDuePosition
    /// Its endpoint, as it was when the message was fetched.
    public var endpoint: WebhookEndpointRecord

    /// Creates a delivery.
    public init(message: WebhookMessageRecord, position: WebhookDuePosition, endpoint: WebhookEndpointRecord) {
        self.message = message
        self.position = position
        self.endpoint = endpoint
    }
}

/// One delivery attempt, as listed by `GET /api/v1/webhooks/deliveries`.
public struct WebhookAttemptRecord: Sendable, Equatable {
    /// The message attempted.
    public var messageID: String
    /// Its endpoint.
    public var endpointID: String
    /// When the attempt started, in milliseconds since 1970.
    public var attemptedMilliseconds: Int64
    /// The HTTP status, nil when no answer came (timeout, refused, forbidden address).
    public var statusCode: Int?
    /// How long it took.
    public var durationMilliseconds: Int64
    /// What went wrong, nil on success.
    public var error: String?
    /// True for a 2xx answer.
    public var succeeded: Bool

    /// Creates a record.
    public init(
        messageID: String, endpointID: String, attemptedMilliseconds: Int64, statusCode: Int?,
        durationMilliseconds: Int64, error: String?, succeeded: Bool
    ) {
        self.messageID = messageID
        self.endpointID = endpointID
        self.attemptedMilliseconds = attemptedMilliseconds
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
        self.succeeded = succeeded
    }
}

/// An attempt to record, with what becomes of its message and endpoint; recorded in one
/// transaction, so a message is never left pending after its success was seen (unless a
/// replay asked for it again meanwhile).
public struct WebhookAttemptOutcome: Sendable {
    /// What becomes of the message.
    public enum Next: Sendable, Equatable {
        /// It arrived.
        case delivered
        /// Try again at this time (milliseconds since 1970).
        case retry(atMilliseconds: Int64)
        /// No more attempts; replayable.
        case failed
    }

    /// What becomes of the endpoint.
    public enum EndpointChange: Sendable, Equatable {
        /// A success: it is no longer failing.
        case healthy
        /// A failure: failing since now, unless it already was.
        case failing
        /// Disable it for this reason; its pending messages fail.
        case disable(reason: String)
    }

    /// The attempt itself.
    public var attempt: WebhookAttemptRecord
    /// Where the message stood when it was attempted (``WebhookDelivery/position``): it
    /// finds the message's row, and the outcome applies only while the message is still there.
    public var position: WebhookDuePosition
    /// The endpoint's ``WebhookEndpointRecord/updatedMilliseconds`` as the attempt saw it: a
    /// failure (failing, disable) applies to the endpoint only while it is unchanged since, so
    /// an attempt made before any change to it (a re-enable, a new URL, a rotation, an edit)
    /// does not judge the endpoint after it.
    public var endpointUpdatedMilliseconds: Int64
    /// The message's next state.
    public var next: Next
    /// The endpoint's change.
    public var endpoint: EndpointChange

    /// Creates the outcome of an attempt to deliver `delivery`.
    public init(attempt: WebhookAttemptRecord, of delivery: WebhookDelivery, next: Next, endpoint: EndpointChange) {
        self.attempt = attempt
        self.position = delivery.position
        self.endpointUpdatedMilliseconds = delivery.endpoint.updatedMilliseconds
        self.next = next
        self.endpoint = endpoint
    }
}
