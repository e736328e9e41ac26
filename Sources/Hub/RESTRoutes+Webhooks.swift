import Foundation
import Gateways
import Hummingbird
import Store

/// `/api/v1/webhooks`: endpoints, secret rotation, the attempt log and replay.
/// Admin or service role only.
extension RESTRoutes {
    func registerWebhooks(on api: RouterGroup<BasicRequestContext>) {
        let webhooks = api.group("/webhooks")
        webhooks.post("/endpoints") { request, _ in
            try await authorizeWebhooks(request)
            let changes = try await changes(request)
            let (endpoint, secret) = try await run { try await hub.webhooks.create(changes) }
            return try encodeJSON(.created, WebhookEndpointBody(endpoint, secret: secret))
        }
        webhooks.get("/endpoints") { request, _ in
            try await authorizeWebhooks(request)
            let endpoints = try await run { try await hub.webhooks.list() }
            return try encodeJSON(.ok, ["endpoints": endpoints.map { WebhookEndpointBody($0) }])
        }
        webhooks.get("/endpoints/:id") { request, context in
            try await authorizeWebhooks(request)
            let id = try id(context)
            let endpoint = try await run { try await hub.webhooks.get(id) }
            return try encodeJSON(.ok, WebhookEndpointBody(endpoint))
        }
        webhooks.patch("/endpoints/:id") { request, context in
            try await authorizeWebhooks(request)
            let (id, changes) = (try id(context), try await changes(request))
            let endpoint = try await run { try await hub.webhooks.update(id, changes) }
            return try encodeJSON(.ok, WebhookEndpointBody(endpoint))
        }
        webhooks.delete("/endpoints/:id") { request, context in
            try await authorizeWebhooks(request)
            let id = try id(context)
            try await run { try await hub.webhooks.delete(id) }
            return Response(status: .noContent)
        }
        webhooks.post("/endpoints/:id/rotate-secret") { request, context in
            try await authorizeWebhooks(request)
            let id = try id(context)
            let (endpoint, secret) = try await run { try await hub.webhooks.rotateSecret(id) }
            return try encodeJSON(.ok, WebhookEndpointBody(endpoint, secret: secret))
        }
        webhooks.post("/endpoints/:id/replay") { request, context in
            try await authorizeWebhooks(request)
            let (id, since) = (try id(context), try milliseconds(request.uri.queryParameters["since"], name: "since") ?? 0)
            let count = try await run { try await hub.webhooks.replayFailed(endpointID: id, sinceMilliseconds: since) }
            return try encodeJSON(.accepted, ["replayed": count])
        }
        webhooks.post("/messages/:id/replay") { request, context in
            try await authorizeWebhooks(request)
            let id = try id(context)
            try await run { try await hub.webhooks.replay(messageID: id) }
            return try encodeJSON(.accepted, ["replayed": 1])
        }
        webhooks.get("/deliveries") { request, _ in
            try await authorizeWebhooks(request)
            let query = request.uri.queryParameters
            let succeeded: Bool? = switch query["status"].map(String.init) {
            case nil: nil
            case "succeeded": true
            case "failed": false
            default: throw HubError.badRequest("status must be succeeded or failed")
            }
            let limit = try query["limit"].map { text -> Int in
                guard let limit = Int(text), (1...1000).contains(limit) else { throw HubError.badRequest("limit must be from 1 to 1000") }
                return limit
            } ?? 100
            let since = try milliseconds(query["since"], name: "since")
            let attempts = try await run {
                try await hub.webhooks.attempts(
                    endpointID: query["endpoint"].map(String.init), succeeded: succeeded, sinceMilliseconds: since, limit: limit)
            }
            return try encodeJSON(.ok, ["deliveries": attempts.map(WebhookAttemptBody.init)])
        }
    }

    private func authorizeWebhooks(_ request: Request) async throws {
        let principal = try await authenticate(request)
        guard !principal.roles.isDisjoint(with: [.admin, .service]) else {
            throw HubError.forbidden("webhooks are managed by the admin and service roles")
        }
    }

    /// The fields a create or update may carry, with their types checked.
    private func changes(_ request: Request) async throws -> WebhookEndpoints.Changes {
        let body = try await jsonBody(request)
        var changes = WebhookEndpoints.Changes(events: try body.strings("events"), topics: try body.strings("topics"))
        switch body["url"] {
        case nil: break
        case .string(let url)?: changes.url = url
        default: throw HubError.invalid("url must be a string")
        }
        switch body["description"] {
        case nil: break
        case .null?: changes.description = .some(nil)
        case .string(let text)?: changes.description = text
        default: throw HubError.invalid("description must be a string or null")
        }
        switch body["enabled"] {
        case nil: break
        case .bool(let enabled)?: changes.enabled = enabled
        default: throw HubError.invalid("enabled must be true or false")
        }
        return changes
    }

    private func id(_ context: BasicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...64).contains(id.utf8.count) else { throw HubError.badRequest("invalid id") }
        return id
    }

    /// Runs a webhook call, mapping its error onto the wire.
    private func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as WebhookError {
            switch error.kind {
            case .invalid: throw HubError.invalid(error.message)
            case .notFound: throw HubError.notFound(error.message)
            case .unavailable: throw HubError.unavailable(error.message)
            }
        }
    }

}

/// An endpoint as the API shows it; `secret` only at creation and rotation.
struct WebhookEndpointBody: Encodable {
    var id: String
    var url: String
    var events: [String]
    var topics: [String]
    var description: String?
    var enabled: Bool
    var disabledReason: String?
    var createdAt: String
    var updatedAt: String
    var secret: String?

    init(_ endpoint: WebhookEndpointRecord, secret: WebhookSecret? = nil) {
        id = endpoint.id
        url = endpoint.url
        events = endpoint.events
        topics = endpoint.topics
        description = endpoint.description
        enabled = endpoint.enabled
        disabledReason = endpoint.disabledReason
        createdAt = JSONText.timestamp(milliseconds: endpoint.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: endpoint.updatedMilliseconds)
        self.secret = secret?.encoded
    }
}

/// One attempt as `GET /api/v1/webhooks/deliveries` lists it.
struct WebhookAttemptBody: Encodable {
    var messageId: String
    var endpointId: String
    var attemptedAt: String
    var statusCode: Int?
    var durationMs: Int64
    var error: String?
    var succeeded: Bool

    init(_ attempt: WebhookAttemptRecord) {
        messageId = attempt.messageID
        endpointId = attempt.endpointID
        attemptedAt = JSONText.timestamp(milliseconds: attempt.attemptedMilliseconds)
        statusCode = attempt.statusCode
        durationMs = attempt.durationMilliseconds
        error = attempt.error
        succeeded = attempt.succeeded
    }
}
