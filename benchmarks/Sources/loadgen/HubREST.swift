import Foundation
import NIOHTTP1

/// Set-up requests to the hub's REST API with the bearer token, each over a connection of
/// its own (``HubHTTPConnection`` keeps one for many requests).
enum HubREST {
    /// A response's status and body text.
    struct Response: Sendable {
        var status: Int
        var body: String

        /// The body as a JSON object, or nil.
        var object: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
    }

    /// Sends `json` (none when empty) to `path` with `method` and reads the whole response.
    static func request(_ hub: HubOptions, method: HTTPMethod, path: String, json: String) async throws -> Response {
        try await HubHTTPConnection.with(hub) { try await $0.request(method, path, json: json) }
    }

    /// Creates a webhook endpoint for every event (`"events": ["*"]`) delivering to `url`;
    /// returns its id and signing secret (`whsec_...`).
    static func createWebhookEndpoint(_ hub: HubOptions, url: String) async throws -> (id: String, secret: String) {
        let response = try await request(
            hub, method: .POST, path: "/api/v1/webhooks/endpoints", json: #"{"url":"\#(url)","events":["*"]}"#)
        guard response.status == 201, let object = response.object,
              let id = object["id"] as? String, let secret = object["secret"] as? String
        else { throw HubRESTError.unexpected(status: response.status, body: response.body) }
        return (id, secret)
    }
}

enum HubRESTError: Error, CustomStringConvertible {
    case closedEarly
    case unexpected(status: Int, body: String)

    var description: String {
        switch self {
        case .closedEarly: "the hub closed the connection before the response ended"
        case .unexpected(let status, let body): "the hub answered \(status): \(body.prefix(300))"
        }
    }
}
