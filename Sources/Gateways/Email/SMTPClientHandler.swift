import NIOCore
import NIOSSL
import Synchronization

/// Why a connection failed, shared by its handler (which records it on the event loop)
/// and its ``SMTPWire`` (which reads it): a request written after the channel is torn
/// down fails with a generic "channel closed" error, and the recorded cause (say, a
/// failed TLS handshake) is the one a caller must see.
final class SMTPConnectionFailure: Sendable {
    private let cause = Mutex<EmailError?>(nil)

    /// Records `error` unless a cause is already known.
    func record(_ error: EmailError) {
        cause.withLock { if $0 == nil { $0 = error } }
    }

    /// The first recorded cause.
    var recorded: EmailError? { cause.withLock { $0 } }
}

/// What the connection writes: optional bytes (a command, or the message after DATA) and
/// the promise of the one reply that answers them. A request without bytes claims the
/// next reply, which is how the greeting is read.
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer?
    var reply: EventLoopPromise<SMTPReply>
}

/// Pairs replies with requests in order, which is what makes pipelining work: requests
/// written together are answered in the order written (RFC 2920).
///
/// Concurrency: a channel handler, so every method runs on the channel's event loop.
/// Guarantees: every request's promise completes exactly once: with its reply; with
/// `email_timeout` when the server is silent for the command timeout (the channel is then
/// closed); or with the connection's failure. After a failure, new requests fail at once.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private let commandTimeout: TimeAmount
    private let shared: SMTPConnectionFailure
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    /// Replies nobody asked for yet: only the greeting, which may come before its request.
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var timer: Scheduled<Void>?
    private var failure: EmailError?

    init(commandTimeout: TimeAmount, failure: SMTPConnectionFailure) {
        self.commandTimeout = commandTimeout
        self.shared = failure
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        if let reply = unclaimed.popFirst() {
            request.reply.succeed(reply)
        } else {
            waiting.append(request.reply)
            if timer == nil { armTimer(context: context) }
        }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        timer?.cancel()
        timer = nil
        guard let waiter = waiting.popFirst() else {
            unclaimed.append(reply)
            if unclaimed.count > 4 { fail(context: context, .protocolError("the server sent replies nobody asked for")) }
            return
        }
        if !waiting.isEmpty { armTimer(context: context) }
        waiter.succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, Self.classify(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, .connectionFailed("the server closed the connection"))
        context.fireChannelInactive()
    }

    private func armTimer(context: ChannelHandlerContext) {
        let timeout = commandTimeout
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(context: context, .timeout("the server did not answer within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
    }

    /// Fails every waiting request and the ones to come, and closes the channel.
    private func fail(context: ChannelHandlerContext, _ error: EmailError) {
        timer?.cancel()
        timer = nil
        if failure == nil {
            failure = error
            shared.record(error)
        }
        while let waiter = waiting.popFirst() { waiter.fail(failure!) }
        context.close(promise: nil)
    }

    /// The error a transport failure means to a caller: TLS trouble is permanent (an
    /// untrusted certificate does not fix itself), a decode error is the server's fault,
    /// anything else is a broken connection.
    static func classify(_ error: any Error) -> EmailError {
        switch error {
        case let error as EmailError: error
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError: .tlsFailed("the TLS handshake failed (is the server's certificate trusted?)")
        case is ByteToMessageDecoderError: .protocolError("the server sent a malformed reply")
        default: .connectionFailed("the connection to the server failed")
        }
    }
}
