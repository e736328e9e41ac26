import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// WebSocket connections whose frames are handled by a NIO channel handler, on the event
/// loop, with no task hop per frame. The hot paths use it (subscribers reading up to
/// hundreds of thousands of events a second, publishers in ack-to-publish ping-pong), so
/// the load generator leaves the cores to the hub; the low-rate paths use
/// `HummingbirdWSClient` (``HubSocket``).
enum RawWebSocket {
    /// Connects to the hub, upgrades with the bearer token, and puts the handler that
    /// `makeHandler` builds (on the channel's event loop) behind NIO's frame encoder and a
    /// ``ServerFrameReader``. Once the
    /// HTTP handlers are gone, the handler gets the user event ``Start`` and may write.
    /// - Returns: the channel.
    static func connect<Handler: ChannelInboundHandler & SendableMetatype>(
        _ hub: HubOptions, on eventLoop: any EventLoop, makeHandler: @escaping @Sendable () -> Handler
    ) async throws -> any Channel where Handler.InboundIn == WebSocketFrame {
        let (host, port) = try hub.hostAndPort
        let token = hub.token
        let upgraded: EventLoopFuture<(any Channel)?> = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<(any Channel)?>(
                        maxFrameSize: ServerFrameReader.maxFrameBytes, enableAutomaticErrorHandling: false
                    ) { channel, _ in
                        // The hub's frames are read by a ServerFrameReader instead of NIO's decoder,
                        // added once the decoder is gone (its removal is deferred by NIO).
                        let removed = channel.eventLoop.makePromise(of: Void.self)
                        do {
                            let decoder = try channel.pipeline.syncOperations.context(
                                handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self)
                            channel.pipeline.syncOperations.removeHandler(context: decoder, promise: removed)
                        } catch {
                            removed.fail(error)
                        }
                        return removed.futureResult.flatMapThrowing {
                            try channel.pipeline.syncOperations.addHandler(ServerFrameReader())
                            try channel.pipeline.syncOperations.addHandler(makeHandler())
                            return channel
                        }
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(host):\(port)")
                    headers.add(name: "Authorization", value: "Bearer \(token)")
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<(any Channel)?>(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/ws", headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(nil) })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        guard let channel = try await upgraded.get() else { throw RawWebSocketError.upgradeRefused }
        channel.pipeline.fireUserInboundEventTriggered(Start())
        return channel
    }

    /// Tells the handler the upgrade is complete: frames written from now on reach the server.
    struct Start: Sendable {}

    /// Writes a masked text frame.
    static func writeText(_ text: String, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(NIOAny(frame), promise: nil)
    }

    /// Answers pings and close frames; returns true when `frame` was one of those.
    static func handleControl(_ frame: WebSocketFrame, context: ChannelHandlerContext) -> Bool {
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.data)
            context.writeAndFlush(NIOAny(pong), promise: nil)
            return true
        case .connectionClose:
            close(context: context)
            return true
        case .pong:
            return true
        default:
            return false
        }
    }

    /// Sends a normal close frame, then closes the socket.
    static func close(context: ChannelHandlerContext) {
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: .normalClosure)
        let channel = context.channel
        context.writeAndFlush(NIOAny(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload)))
            .whenComplete { _ in channel.close(promise: nil) }
    }
}

enum RawWebSocketError: Error, CustomStringConvertible {
    case upgradeRefused
    case badURL(String)

    var description: String {
        switch self {
        case .upgradeRefused: "the hub refused the WebSocket upgrade"
        case .badURL(let url): "cannot read host and port from \(url)"
        }
    }
}

extension HubOptions {
    /// Host and port of ``url``.
    var hostAndPort: (String, Int) {
        get throws {
            var rest = Substring(url)
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
            rest = rest.prefix { $0 != "/" }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else {
                throw RawWebSocketError.badURL(url)
            }
            return (String(rest[..<colon]), port)
        }
    }
}
