import Foundation
import Store

/// Managing webhook endpoints: validation, secrets (generated, sealed at rest, rotated with
/// an overlap), replay and the attempt log. The REST routes are a thin layer over this.
public struct WebhookEndpoints: Sendable {
    /// The most filter patterns of each kind per endpoint.
    public static let maxPatterns = 32
    /// The longest description.
    public static let maxDescriptionLength = 512

    /// What a create or update may set; nil leaves a field as it is.
    public struct Changes: Sendable {
        /// The delivery URL.
        public var url: String?
        /// Event-name patterns.
        public var events: [String]?
        /// Topic patterns; empty means every topic.
        public var topics: [String]?
        /// Operator notes; `.some(nil)` clears them.
        public var description: String??
        /// Enables or disables the endpoint.
        public var enabled: Bool?

        /// Creates changes.
        public init(url: String? = nil, events: [String]? = nil, topics: [String]? = nil, description: String?? = nil, enabled: Bool? = nil) {
            self.url = url
            self.events = events
            self.topics = topics
            self.description = description
            self.enabled = enabled
        }
    }

    let store: any WebhookStore
    let box: SecretBox
    let settings: WebhookSettings

    /// Creates the manager over a store, the box that seals secrets and the settings.
    public init(store: any WebhookStore, box: SecretBox, settings: WebhookSettings) {
        self.store = store
        self.box = box
        self.settings = settings
    }

    /// Validates and stores a new endpoint; returns it with its secret, shown only now.
    public func create(_ changes: Changes) async throws(WebhookError) -> (WebhookEndpointRecord, WebhookSecret) {
        guard let url = changes.url else { throw .invalid("url is required") }
        guard let events = changes.events, !events.isEmpty else { throw .invalid("events needs at least one pattern, such as \"*\"") }
        try await validate(changes)
        let secret = WebhookSecret.generate()
        let now = Self.nowMilliseconds()
        let endpoint = WebhookEndpointRecord(
            id: Self.newEndpointID(), url: url, events: events, topics: changes.topics ?? [],
            description: changes.description ?? nil, enabled: changes.enabled ?? true, sealedSecret: try seal(secret),
            createdMilliseconds: now, updatedMilliseconds: now)
        do {
            try await store.insertWebhookEndpoint(endpoint)
        } catch {
            throw WebhookError(error)
        }
        return (endpoint, secret)
    }

    /// Every endpoint.
    public func list() async throws(WebhookError) -> [WebhookEndpointRecord] {
        do { return try await store.webhookEndpoints() } catch { throw WebhookError(error) }
    }

    /// One endpoint.
    public func get(_ id: String) async throws(WebhookError) -> WebhookEndpointRecord {
        let endpoint: WebhookEndpointRecord?
        do { endpoint = try await store.webhookEndpoint(id: id) } catch { throw WebhookError(error) }
        guard let endpoint else { throw .notFound("no webhook endpoint \(id)") }
        return endpoint
    }

    /// Applies validated changes. Re-enabling clears the hub's reason for disabling it.
    public func update(_ id: String, _ changes: Changes) async throws(WebhookError) -> WebhookEndpointRecord {
        if let events = changes.events, events.isEmpty { throw .invalid("events needs at least one pattern, such as \"*\"") }
        try await validate(changes)
        return try await change(id) { endpoint in
            if let url = changes.url { endpoint.url = url }
            if let events = changes.events { endpoint.events = events }
            if let topics = changes.topics { endpoint.topics = topics }
            if let description = changes.description { endpoint.description = description }
            if let enabled = changes.enabled { endpoint.enabled = enabled }
        }
    }

    /// Deletes an endpoint with its messages and attempts.
    public func delete(_ id: String) async throws(WebhookError) {
        let deleted: Bool
        do { deleted = try await store.deleteWebhookEndpoint(id: id) } catch { throw WebhookError(error) }
        guard deleted else { throw .notFound("no webhook endpoint \(id)") }
    }

    /// Gives an endpoint a new secret; the old one keeps signing for the overlap window.
    public func rotateSecret(_ id: String) async throws(WebhookError) -> (WebhookEndpointRecord, WebhookSecret) {
        let secret = WebhookSecret.generate()
        let sealed = try seal(secret)
        let expires = Self.nowMilliseconds() + settings.secretOverlap.milliseconds
        let endpoint = try await change(id) { endpoint in
            endpoint.sealedPreviousSecret = endpoint.sealedSecret
            endpoint.previousSecretExpiresMilliseconds = expires
            endpoint.sealedSecret = sealed
        }
        return (endpoint, secret)
    }

    /// An endpoint's secrets, opened: the current one, and the previous one if a rotation
    /// left one (whether its overlap has ended is the caller's check, at each use).
    func openSecrets(of endpoint: WebhookEndpointRecord) throws(GatewayError) -> (current: WebhookSecret, previous: WebhookSecret?) {
        let current = WebhookSecret(bytes: try box.open(endpoint.sealedSecret))
        guard let previous = endpoint.sealedPreviousSecret, endpoint.previousSecretExpiresMilliseconds != nil else {
            return (current, nil)
        }
        return (current, WebhookSecret(bytes: try box.open(previous)))
    }

    /// Sends one message again, with a fresh retry schedule.
    public func replay(messageID: String) async throws(WebhookError) {
        let found: Bool
        do {
            found = try await store.replayWebhookMessage(id: messageID, nowMilliseconds: Self.nowMilliseconds())
        } catch {
            throw WebhookError(error)
        }
        guard found else { throw .notFound("no webhook message \(messageID)") }
    }

    /// Sends again every failed message of an endpoint created since a time; returns how many.
    public func replayFailed(endpointID: String, sinceMilliseconds: Int64) async throws(WebhookError) -> Int {
        _ = try await get(endpointID)
        do {
            return try await store.replayFailedWebhookMessages(
                endpointID: endpointID, sinceMilliseconds: sinceMilliseconds, nowMilliseconds: Self.nowMilliseconds())
        } catch {
            throw WebhookError(error)
        }
    }

    /// The attempt log, newest first.
    public func attempts(
        endpointID: String?, succeeded: Bool?, sinceMilliseconds: Int64?, limit: Int
    ) async throws(WebhookError) -> [WebhookAttemptRecord] {
        do {
            return try await store.webhookAttempts(
                endpointID: endpointID, succeeded: succeeded, sinceMilliseconds: sinceMilliseconds, limit: limit)
        } catch {
            throw WebhookError(error)
        }
    }

    // MARK: - Helpers

    private func change(
        _ id: String, _ body: @escaping @Sendable (inout WebhookEndpointRecord) -> Void
    ) async throws(WebhookError) -> WebhookEndpointRecord {
        let now = Self.nowMilliseconds()
        let endpoint: WebhookEndpointRecord?
        do {
            endpoint = try await store.updateWebhookEndpoint(id: id) { endpoint in
                body(&endpoint)
                endpoint.updatedMilliseconds = now
            }
        } catch {
            throw WebhookError(error)
        }
        guard let endpoint else { throw .notFound("no webhook endpoint \(id)") }
        return endpoint
    }

    private func validate(_ changes: Changes) async throws(WebhookError) {
        if let url = changes.url {
            do { _ = try await settings.addressPolicy.check(url: url) } catch { throw WebhookError(error) }
        }
        for (field, patterns) in [("events", changes.events), ("topics", changes.topics)] {
            guard let patterns else { continue }
            guard patterns.count <= Self.maxPatterns else { throw .invalid("\(field) takes at most \(Self.maxPatterns) patterns") }
            if let bad = patterns.first(where: { EventPattern($0) == nil }) {
                throw .invalid("\(field) pattern \"\(bad)\" is invalid: use lowercase names, dots, and \"*\" only at the end")
            }
        }
        if let description = changes.description ?? nil, description.count > Self.maxDescriptionLength {
            throw .invalid("description is longer than \(Self.maxDescriptionLength) characters")
        }
    }

    private func seal(_ secret: WebhookSecret) throws(WebhookError) -> [UInt8] {
        do { return try box.seal(secret.bytes) } catch { throw WebhookError(error) }
    }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A new endpoint id: `ep_` + 24 random characters from `[A-Za-z0-9]` (about 143 bits,
    /// so unique in practice, and URL-safe). (Message ids are made by the outbox, in
    /// creation order.)
    static func newEndpointID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "ep_" + String((0..<24).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
