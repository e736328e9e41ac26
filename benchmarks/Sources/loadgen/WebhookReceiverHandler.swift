#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection of the webhook receiver, behind NIO's server pipeline (which
/// keeps pipelined requests in order). Verifies and records each POST, then answers 204,
/// whatever the verdict, so a bad signature shows in the counts instead of as retries. Other
/// methods get 405 and are not counted. All of it runs on the connection's event loop.
final class WebhookReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let ledger: WebhookLedger
    private let verifier: WebhookVerifier
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(ledger: WebhookLedger, verifier: WebhookVerifier) {
        self.ledger = ledger
        self.verifier = verifier
    }

    func channelActive(context: ChannelHandlerContext) {
        ledger.connectionOpened()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
        case .body(var chunk):
            body.setOrWriteBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, body: body ?? ByteBuffer(), context: context)
            body = nil
        }
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        if head.method == .POST {
            let id = head.headers.first(name: "webhook-id")
            let verdict = verifier.check(
                id: id, timestamp: head.headers.first(name: "webhook-timestamp"),
                signatures: head.headers.first(name: "webhook-signature"), body: body, now: time(nil))
            ledger.record(id: id, verdict: verdict, now: Monotonic.now())
            status = .noContent
        } else {
            status = .methodNotAllowed
            headers.add(name: "content-length", value: "0")
        }
        if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
