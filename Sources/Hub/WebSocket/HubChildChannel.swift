import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The hub's HTTP/1 connections: requests go to the Hummingbird router, and an upgrade of
/// `/v1/ws` becomes a ``SocketHandler`` on the connection's own NIO pipeline.
///
/// Why not Hummingbird's WebSocket channel: it serves each connection with several suspended
/// tasks and async-sequence buffers (46 KiB per idle subscribed connection, measured). Here an
/// upgraded connection is a handler on its event loop and costs no task while idle.
///
/// The upgrade is decided before the 101: the token is checked, and a refused one gets HTTP
/// 401 with the error envelope, so nothing is ever delivered on it; permessage-deflate is
/// negotiated when the configuration allows it. Admission (connections per user, shutdown)
/// happens right after the upgrade and refuses with a close code (4029, 1001).
struct HubChildChannel: ServerChildChannel, HTTPChannelHandler {
    /// How a connection's first request ended.
    enum Upgrade: Sendable {
        /// Upgraded: the ``SocketHandler`` serves it from now on.
        case webSocket
        /// A plain HTTP connection for the router.
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade refused with this error.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, HubError)
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any Channel
    }

    /// What the upgrade request settled, kept for the pipeline set-up that follows it on the
    /// same event loop.
    private struct Handshake {
        var authentication: Authentication?
        var deflate: PerMessageDeflate.Parameters?
        var refusal: HubError?
    }

    let responder: Responder
    private let hub: HubContext
    private let settings: SocketHandler.Settings

    init(hub: HubContext, responder: @escaping Responder) {
        self.hub = hub
        self.responder = Self.redirectingLateUpgrades(responder)
        self.settings = SocketHandler.Settings(hub.configuration)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let handshake = NIOLoopBoundBox(Handshake(), eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: settings.maxMessageBytes,
                shouldUpgrade: { channel, head in self.shouldUpgrade(head, on: channel, handshake: handshake) },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.removeHandler(name: FirstRequestGuard.name, promise: nil)
                        try self.startConnection(on: channel, handshake.value)
                        return .webSocket
                    }
                })
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.removeHandler(name: FirstRequestGuard.name, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return handshake.value.refusal.map { .refused(http, $0) } ?? .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrades)
            configuration.enablePipelining = false  // the router's NIOAsyncChannel reads one request at a time
            configuration.enableErrorHandling = false  // Hummingbird answers malformed requests
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validated them
            let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            // NIO's upgrader refuses a malformed handshake (no key, a version other than 13)
            // before asking the hub; noted after it, it is answered 400 like any refusal.
            // Until the first request settles, a shutdown closes the connection.
            try channel.pipeline.syncOperations.addHandler(
                FirstRequestGuard {
                    // A refusal of the hub's own (a token, a path) comes first and stands.
                    if handshake.value.refusal == nil {
                        handshake.value.refusal = .badRequest("a WebSocket handshake needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13")
                    }
                },
                name: FirstRequestGuard.name)
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .webSocket:
                return  // the SocketHandler serves the connection; no task waits for it
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let error):
                try await Self.refuse(http, error)
            }
        } catch {
            logger.debug("connection ended before its first request was served", metadata: ["error": "\(error)"])
        }
    }

    /// Checks the path and the token, and negotiates compression. Answers the extra 101
    /// headers, or nil with the refusal noted for the HTTP side.
    private func shouldUpgrade(
        _ head: HTTPRequestHead, on channel: any Channel, handshake: NIOLoopBoundBox<Handshake>
    ) -> EventLoopFuture<HTTPHeaders?> {
        let uri = URI(head.uri)
        guard uri.path == "/v1/ws" else {
            handshake.value.refusal = .notFound("no WebSocket endpoint at \(uri.path.prefix(64))")
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let token = Authenticator.bearerToken(head.headers.first(name: "Authorization"))
            ?? uri.queryParameters["token"].map(String.init) ?? ""
        let deflate = hub.configuration.compression
            ? PerMessageDeflate.Parameters.negotiate(head.headers["Sec-WebSocket-Extensions"]) : nil
        let authenticator = hub.authenticator
        let promise = channel.eventLoop.makePromise(of: Result<Authentication, HubError>.self)
        promise.completeWithTask {
            do throws(HubError) {
                return .success(try await authenticator.authenticate(token))
            } catch {
                return .failure(error)
            }
        }
        return promise.futureResult.map { result in
            switch result {
            case .success(let authentication):
                handshake.value.authentication = authentication
                handshake.value.deflate = deflate
                var headers = HTTPHeaders()
                if let deflate { headers.add(name: "Sec-WebSocket-Extensions", value: deflate.responseHeader) }
                return headers
            case .failure(let error):
                handshake.value.refusal = error
                return nil
            }
        }
    }

    /// Admits the upgraded connection and puts its ``SocketHandler`` on the pipeline, or
    /// closes it with the admission's close code.
    private func startConnection(on channel: any Channel, _ handshake: Handshake) throws {
        guard let authentication = handshake.authentication else { throw HubError.unauthorized() }
        let deflate = try handshake.deflate.map { try PerMessageDeflate($0, on: channel.eventLoop) }
        switch hub.connections.admit(authentication, hub: hub, eventLoop: channel.eventLoop) {
        case .failure(let reason):
            try channel.pipeline.syncOperations.addHandler(RefusedSocketHandler(reason: reason, closeTimeout: settings.closeTimeout))
        case .success(let connection):
            do {
                try channel.pipeline.syncOperations.addHandler(SocketHandler(connection: connection, deflate: deflate, settings: settings))
            } catch {
                connection.end()
                throw error
            }
        }
    }

    /// Answers a refused upgrade with the error envelope and closes the connection.
    private static func refuse(_ http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, _ error: HubError) async throws {
        try await http.executeThenClose { _, outbound in
            let body = ByteBuffer(string: error.envelope)
            let head = HTTPResponse(status: error.status, headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ])
            try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
        }
    }

    /// NIO upgrades only a connection's first request. An upgrade request arriving later on
    /// a kept-alive connection gets a 307 to the same URI and the connection closes; the
    /// client asks again on a new connection, where the first-request path decides (101,
    /// or 400/401/404 with the error envelope).
    private static func redirectingLateUpgrades(_ responder: @escaping Responder) -> Responder {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
            try await writer.writeResponse(HTTPResponse(
                status: .temporaryRedirect, headerFields: [.connection: "close", .location: location, .contentLength: "0"]))
            throw LateUpgradeRedirected()
        }
    }

    /// Ends a connection whose late upgrade request was redirected.
    private struct LateUpgradeRedirected: Error {}

    /// Watches a connection until its first request settles, then leaves the pipeline (the
    /// HTTP or WebSocket handlers take over, shutdown included):
    /// - calls `noted` on a malformed handshake's error (from NIO's upgrader, which sits
    ///   before it), so the refusal can be answered;
    /// - closes the connection when the server quiesces: until its first request settles it
    ///   holds nothing, and a client that connected and never sent one would otherwise hold
    ///   the drain (and the exit) forever. A request's head that has only partly arrived is
    ///   dropped with it, and so is an upgrade still waiting for its token check (it would be
    ///   refused with 1001 anyway).
    private final class FirstRequestGuard: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        static let name = "switchboard.first-request"
        private let noted: () -> Void

        init(noted: @escaping () -> Void) {
            self.noted = noted
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if error is NIOWebSocketUpgradeError { noted() }
            context.fireErrorCaught(error)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent {
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }
    }
}
