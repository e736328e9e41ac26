import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection to the hub's REST API, with the bearer token: one
/// request at a time, each written in one flush (head, body and end) over a `TCP_NODELAY`
/// socket, so a request costs the hub what it costs a real client that keeps its connection.
///
/// - Important: use it only inside the `body` of ``with(_:_:)`` that opened it, from one task.
final class HubHTTPConnection {
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private let host: String
    private let authorization: String

    private init(
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>, outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
        host: String, token: String
    ) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.host = host
        self.authorization = "Bearer \(token)"
    }

    /// Opens a connection to the hub, runs `body` with it, then closes it.
    static func with<Result: Sendable>(
        _ hub: HubOptions, _ body: (HubHTTPConnection) async throws -> Result
    ) async throws -> Result {
        let (host, port) = try hub.hostAndPort
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(HubHTTPConnection(inbound: inbound, outbound: outbound, host: "\(host):\(port)", token: hub.token))
        }
    }

    /// Sends `json` (none when empty) to `path` with `method` and extra `headers`, and reads the whole response.
    func request(
        _ method: HTTPMethod, _ path: String, json: String = "", headers extra: [(String, String)] = []
    ) async throws -> HubREST.Response {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: host)
        headers.add(name: "authorization", value: authorization)
        headers.add(contentsOf: extra)
        var parts: [HTTPClientRequestPart] = []
        if json.isEmpty {
            headers.add(name: "content-length", value: "0")
            parts.append(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
        } else {
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: "\(json.utf8.count)")
            parts.append(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            parts.append(.body(.byteBuffer(ByteBuffer(string: json))))
        }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
        var status = 0
        var body = ByteBuffer()
        while let part = try await inbound.next() {
            switch part {
            case .head(let head): status = Int(head.status.code)
            case .body(var chunk): body.writeBuffer(&chunk)
            case .end: return HubREST.Response(status: status, body: String(buffer: body))
            }
        }
        throw HubRESTError.closedEarly
    }

    /// Runs `work` for item numbers taken from `claims`, over `connections` connections at
    /// once: each takes the next number when its previous item is done, until `claims` has
    /// none left. The first error ends all of them and is thrown.
    static func forEach(
        _ hub: HubOptions, connections: Int, claims: Claims,
        _ work: @escaping @Sendable (HubHTTPConnection, Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    try await with(hub) { connection in
                        while let number = claims.claim() { try await work(connection, number) }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
