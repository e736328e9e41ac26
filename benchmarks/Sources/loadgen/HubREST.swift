import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One-shot requests to the hub's REST API with the bearer token, each over a connection
/// of its own. For set-up only (creating a webhook endpoint), not for load.
enum HubREST {
    /// A response's status and body text.
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    /// Sends `json` (none when empty) to `path` with `method` and reads the whole response.
    static func request(_ hub: HubOptions, method: HTTPMethod, path: String, json: String) async throws -> Response {
        let (host, port) = try hub.hostAndPort
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "host", value: "\(host):\(port)")
            headers.add(name: "authorization", value: "Bearer \(hub.token)")
            if !json.isEmpty {
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: "\(json.utf8.count)")
            }
            headers.add(name: "connection", value: "close")
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            if !json.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: json)))) }
            try await outbound.write(.end(nil))
            var status = 0
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(var chunk): body.writeBuffer(&chunk)
                case .end: return Response(status: status, body: String(buffer: body))
                }
            }
            throw HubRESTError.closedEarly
        }
    }

    /// Creates a webhook endpoint for every event (`"events": ["*"]`) delivering to `url`;
    /// returns its id and signing secret (`whsec_...`).
    static func createWebhookEndpoint(_ hub: HubOptions, url: String) async throws -> (id: String, secret: String) {
        let response = try await request(
            hub, method: .POST, path: "/api/v1/webhooks/endpoints", json: #"{"url":"\#(url)","events":["*"]}"#)
        guard response.status == 201,
              let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
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
