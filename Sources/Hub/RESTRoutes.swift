import Channels
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The REST side door under `/api/v1`, plus health, readiness and metrics.
struct RESTRoutes {
    let hub: HubContext

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in json(.ok, "{\"status\":\"ok\"}") }
        router.get("/readyz") { _, _ in try await ready() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: HubMetrics.exposition())))
        }
        router.get("/v1/ws") { request, _ -> Response in
            // Reached only without an Upgrade header: say what is wrong with it.
            _ = try await authenticate(request)
            throw HubError.badRequest("this endpoint needs a WebSocket upgrade")
        }
        let api = router.group("/api/v1")
        api.get("/openapi.json") { _, _ in json(.ok, OpenAPIDocument.json) }
        api.post("/topics/:topic/events") { request, context in try await publish(request, context) }
        api.get("/topics/:topic/events") { request, context in try await events(request, context) }
        api.get("/topics/:topic/presence") { request, context in try await presence(request, context) }
        registerWebhooks(on: api)
        registerSupport(on: api)
        registerSLAPolicies(on: api)
        registerChats(on: api)
        registerKnowledgeBase(on: api)
        registerAnalytics(on: api)
        registerNotifications(on: api)
    }

    private func ready() async throws -> Response {
        guard !hub.connections.isDraining else { throw HubError.unavailable("shutting down") }
        do throws(StoreError) {
            try await hub.store.checkHealth()
        } catch {
            throw HubError.unavailable("the store is unusable: \(error.message)")
        }
        return json(.ok, "{\"status\":\"ready\"}")
    }

    private func publish(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let principal = try await authenticate(request)
        let topic = try topic(context)
        try hub.checkPublishAccess(topic, by: principal)
        let (body, data) = try await jsonBody(request, keepingTextOf: "data")
        let audience: EventAudience
        switch body["audience"] {
        case nil: audience = .everyone
        case .string(let text)?:
            guard let parsed = EventAudience(rawValue: text) else { throw HubError.invalid("audience must be everyone or staff") }
            audience = parsed
        default: throw HubError.invalid("audience must be everyone or staff")
        }
        guard case .string(let name)? = body["name"], (1...ClientFrame.maxNameLength).contains(name.utf8.count) else {
            throw HubError.invalid("name is required: a string of 1 to \(ClientFrame.maxNameLength) bytes")
        }
        let key = try idempotencyKey(request)
        let outcome = try await hub.publish(
            topic, name: name, data: data ?? "null", key: key, audience: audience, by: principal)
        var response = json(.created, "{\"offset\":\(outcome.event.offset),\"epoch\":\(JSONText.quoted(outcome.event.epoch))}")
        if outcome.isDuplicate { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    private func events(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let principal = try await authenticate(request)
        let topic = try topic(context)
        try await hub.authorizeReading(principal, topic)
        let query = request.uri.queryParameters
        let since = try query["since"].map { text -> TopicPosition in
            guard let offset = Int64(text), offset >= 0 else { throw HubError.badRequest("since must be a non-negative integer") }
            return TopicPosition(epoch: query["epoch"].map(String.init) ?? "", offset: offset)
        }
        let limit = try pageLimit(request, upTo: ClientFrame.maxHistoryLimit, default: 100)
        do {
            let (position, events) = try await hub.topics.history(
                of: topic, since: since, limit: limit, includingStaffEvents: principal.isStaff)
            return json(.ok, ServerFrames.positionResult(position, events: events))
        } catch {
            throw HubError(error)
        }
    }

    private func presence(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let principal = try await authenticate(request)
        let topic = try topic(context)
        let policy = try await hub.authorizeReading(principal, topic)
        guard policy.presence else { throw HubError.badRequest("presence is off for namespace \(topic.namespace)") }
        return json(.ok, ServerFrames.presenceResult(hub.topics.presence(of: topic)))
    }

    // MARK: - Helpers

    func authenticate(_ request: Request) async throws -> Principal {
        guard let token = Authenticator.bearerToken(request.headers[.authorization]) else { throw HubError.unauthorized() }
        let principal = try await hub.authenticator.authenticate(token).principal
        try hub.restLimiter.check(principal)
        return principal
    }

    private func topic(_ context: BasicRequestContext) throws -> TopicName {
        let raw = context.parameters.get("topic") ?? ""
        guard let topic = TopicName(raw.removingPercentEncoding ?? raw) else {
            throw HubError.badRequest("invalid topic name")
        }
        return topic
    }

    /// The `Idempotency-Key` header, if any.
    func idempotencyKey(_ request: Request) throws -> String? {
        let key = request.headers[.idempotencyKey]
        if let key, !(1...ClientFrame.maxNameLength).contains(key.utf8.count) {
            throw HubError.invalid("Idempotency-Key must be 1 to \(ClientFrame.maxNameLength) bytes")
        }
        return key
    }

    /// The `limit` query parameter of a page: 1 to `maximum`, `default` when absent.
    func pageLimit(_ request: Request, upTo maximum: Int = 200, default: Int = 50) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return `default` }
        guard let limit = Int(text), (1...maximum).contains(limit) else { throw HubError.badRequest("limit must be from 1 to \(maximum)") }
        return limit
    }

    /// A query parameter holding an RFC 3339 time or Unix milliseconds, as milliseconds since 1970.
    func milliseconds(_ text: Substring?, name: String) throws -> Int64? {
        guard let text else { return nil }
        if let value = Int64(text), value >= 0 { return value }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: String(text)) ?? ISO8601DateFormatter().date(from: String(text))
        guard let date else { throw HubError.badRequest("\(name) must be an RFC 3339 time or Unix milliseconds") }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    func jsonBody(_ request: Request) async throws -> JSONValue {
        try await jsonBody(request, keepingTextOf: nil).body
    }

    /// The body as a JSON object, and the text of its member `member` as sent (see
    /// ``JSONParser/parse(_:keepingTextOf:)``).
    func jsonBody(_ request: Request, keepingTextOf member: String?) async throws -> (body: JSONValue, memberText: String?) {
        var request = request
        let buffer = try await request.collectBody(upTo: hub.configuration.maxMessageBytes)
        // Checked, not repaired: a lossy decoding would store text the client never sent.
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw HubError.badRequest("the body is not valid UTF-8")
        }
        guard let parsed = try? JSONParser.parse(text, keepingTextOf: member) else {
            throw HubError.badRequest("the body is not valid JSON")
        }
        guard case .object = parsed.value else { throw HubError.invalid("the body must be a JSON object") }
        return (parsed.value, parsed.memberText)
    }

    /// The body decoded as `T` with snake-case keys; `invalid` says what was expected.
    func decodeBody<T: Decodable>(_ request: Request, as type: T.Type, invalid: String) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: hub.configuration.maxMessageBytes)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw HubError.invalid(invalid)
        }
    }
}

/// `value` as JSON text with snake-case keys, sorted: the one encoding of API bodies.
func snakeCaseJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = .sortedKeys
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A JSON response of an `Encodable` value (see ``snakeCaseJSON(_:)``).
func encodeJSON(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
    json(status, try snakeCaseJSON(value))
}

/// A JSON response with the given status.
func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

/// An opaque list cursor: the creation time and id of the last row of a page (tickets, chats).
struct IndexCursor {
    var position: (createdMilliseconds: Int64, id: String)

    init(createdMilliseconds: Int64, id: String) {
        position = (createdMilliseconds, id)
    }

    init(decoding text: String) throws {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let time = Int64(parts[0]), TopicName("x:" + parts[1]) != nil else {
            throw HubError.badRequest("invalid cursor")
        }
        position = (time, String(parts[1]))
    }

    var encoded: String { "\(position.createdMilliseconds)_\(position.id)" }
}
