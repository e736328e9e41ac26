import Channels
import Foundation
import NIOCore
import NIOWebSocket

/// One upgraded WebSocket connection, served on its NIO event loop: frames in, the
/// ``Connection``'s ``OutboundQueue`` out, pings, and the closing handshake.
///
/// Concurrency model: everything here runs on the channel's event loop, and an idle
/// connection costs no task at all. A task exists only while the connection performs
/// client messages (a chat message waiting for its actor); it runs on the same event loop
/// (``EventLoopTaskExecutor``) and takes the messages one at a time, in order. A publish
/// to a topic no actor owns is only queued for its commit there, and answered from the
/// commit loop (``InFlightPublishes`` bounds how many wait); other messages wait for the
/// publishes before them, so replies keep the order of the messages. Fan-out wakes
/// ``drain()`` with one `execute`, which writes every queued frame and flushes once.
///
/// Backpressure: while ``Settings/maxPendingMessages`` messages wait to be performed, the
/// socket is not read. Outbound bytes count against the queue's bound until their write
/// completes once the socket has backed up (NIO holds more than its 64 KiB high-water mark,
/// until it is back under the 32 KiB low one) or when a batch is over
/// ``untrackedBatchBytes``; so a client that stops reading overflows its queue (4008), and
/// NIO's buffer holds at most the queue's bound plus 128 KiB (the mark and one untracked batch).
///
/// Closing: the hub's close (slow consumer, expiry, shutdown, a protocol violation) is the
/// queue's close: frames queued before it are written, then the close frame, and the socket
/// closes when the client answers or after ``Settings/closeTimeout``. A client's close is
/// answered after the messages it sent before it have been performed and its pipelined
/// publishes answered.
final class SocketHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The largest batch written without tracking its completion while the socket keeps up:
    /// NIO's default high-water mark.
    static let untrackedBatchBytes = 64 * 1024

    /// The transport settings every connection shares.
    struct Settings: Sendable {
        /// The largest message read (twice the protocol limit, so an oversized one is answered
        /// `too_large`); larger ones close with 1009.
        var maxMessageBytes: Int
        /// How often an idle client is pinged; one that stays silent for a whole period is closed.
        var pingPeriod: TimeAmount
        /// How long the client has to answer the hub's close frame.
        var closeTimeout: TimeAmount
        /// Messages received and not yet performed before the socket stops being read.
        var maxPendingMessages = 16

        /// The settings `configuration` asks for; periods are held between a second and a day.
        init(_ configuration: HubConfiguration) {
            maxMessageBytes = Connection.maxMessageSize(configuration)
            pingPeriod = Self.period(configuration.pingIntervalSeconds)
            closeTimeout = Self.period(configuration.closeTimeoutSeconds)
        }

        private static func period(_ seconds: Int) -> TimeAmount {
            .seconds(Int64(min(max(1, seconds), 86_400)))
        }
    }

    private enum Received {
        case text(String)
        case binary
    }

    private let connection: Connection
    private let settings: Settings
    private let deflate: PerMessageDeflate?
    private var assembler: MessageAssembler
    private var context: ChannelHandlerContext?
    /// The context of NIO's frame encoder, the last outbound handler before the socket (the
    /// upgrade removed the HTTP ones; a handler added between would have to take
    /// `ByteBuffer`s). A frame already framed (``OutboundFrame/wire``, shared by every
    /// subscriber of an event) is written from there, so it goes out as it is; written from
    /// here, the encoder would frame it again, with a header buffer and a second write per
    /// subscriber. Control frames and deflated ones go through the encoder. Both paths write
    /// synchronously into the same pending writes, so order is kept.
    private var wireContext: ChannelHandlerContext!
    private var pending = CircularBuffer<Received>()
    private var isPerforming = false
    /// The socket has closed; the connection ends once no message is being performed.
    private var isInactive = false
    private var isReadDeferred = false
    private var closeSent = false
    private var closeReceived = false
    private var heardSincePing = true
    private var pinger: RepeatedTask?
    private var closeDeadline: Scheduled<Void>?

    init(connection: Connection, deflate: PerMessageDeflate?, settings: Settings) {
        self.connection = connection
        self.deflate = deflate
        self.settings = settings
        self.assembler = MessageAssembler(maxBytes: settings.maxMessageBytes, allowsCompression: deflate != nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            wireContext = try context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        } catch {
            preconditionFailure("a SocketHandler must be added behind NIO's WebSocketFrameEncoder")
        }
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        // One drain closure for the connection's life: a wake-up passes it to `execute`
        // rather than allocating a new one per fan-out.
        let drain: @Sendable () -> Void = { this.value.drain() }
        connection.queue.setWake { loop.execute(drain) }
        pinger = loop.scheduleRepeatedTask(initialDelay: settings.pingPeriod, delay: settings.pingPeriod) { _ in this.value.ping() }
        connection.start()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        wireContext = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        isInactive = true
        pinger?.cancel()
        closeDeadline?.cancel()
        pending.removeAll()
        connection.queue.close(CloseReason(code: 1006, reason: "connection lost"))
        // A message still being performed (a subscribe awaiting its history) would otherwise
        // register the connection again after it left; it ends when that message is done.
        if !isPerforming { connection.end() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        heardSincePing = true
        switch frame.opcode {
        case .ping:
            // Pongs bypass the queue's bound, so a client that pings without reading is not
            // answered past the channel's high-water mark (RFC 6455 lets a pong be skipped).
            guard !closeSent, context.channel.isWritable else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            guard !closeReceived else { return }  // a repeated close changes nothing
            closeReceived = true
            if closeSent {
                context.close(promise: nil)
            } else {
                armCloseDeadline(context)
                closeIfClientDone()
            }
        default:
            guard !closeSent, !closeReceived, !connection.queue.isClosing else { return }
            switch assembler.receive(frame) {
            case .incomplete: break
            case .violation(let reason): connection.queue.close(reason)
            case .message(let message): accept(message, allocator: context.channel.allocator)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if pending.count >= settings.maxPendingMessages {
            isReadDeferred = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            connection.disconnect(code: 1001, reason: "server shutting down", reconnect: true)
        case ChannelEvent.inputClosed:
            // The client shut its side without a close frame: it is gone.
            context.close(promise: nil)
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is NIOWebSocketError else {
            context.close(promise: nil)  // the socket failed
            return
        }
        // Broken framing: NIO's protocol error handler has written the close frame (1002,
        // 1009) and closes the socket once it is written. Nothing more is sent or performed.
        closeSent = true
        pinger?.cancel()
        pending.removeAll()
        armCloseDeadline(context)
        connection.queue.close(CloseReason(code: 1002, reason: "protocol error"))
    }

    /// Inflates and validates a whole message, then queues it to be performed.
    private func accept(_ message: MessageAssembler.Message, allocator: ByteBufferAllocator) {
        var data = message.data
        if message.isCompressed, let deflate {
            do throws(CloseReason) {
                data = try deflate.decompress(data, maxBytes: settings.maxMessageBytes, allocator: allocator)
            } catch {
                connection.queue.close(error)
                return
            }
        }
        switch message.opcode {
        case .text:
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                connection.queue.close(.invalidPayload("text messages must be UTF-8"))
                return
            }
            pending.append(.text(text))
        default:
            pending.append(.binary)
        }
        performPending()
    }

    /// Starts the task that performs pending messages, unless it runs already.
    private func performPending() {
        guard !isPerforming, !pending.isEmpty, let context else { return }
        isPerforming = true
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let connection = self.connection
        // The task prefers the event loop, so it resumes there after every await and may use
        // the loop-bound handler between them.
        Task(executorPreference: EventLoopTaskExecutor(context.eventLoop)) {
            while let next = this.value.nextPending() {
                switch next {
                case .text(let text):
                    await connection.handle(text)
                case .binary:
                    await connection.refuseInOrder(id: nil, .badRequest("binary frames are not supported; send JSON text"))
                }
            }
        }
    }

    /// The next message to perform, or nil when there is none (the task then ends). Once the
    /// connection is closing, nothing more is performed: its reply could not be sent.
    private func nextPending() -> Received? {
        if connection.queue.isClosing { pending.removeAll() }
        let next = pending.popFirst()
        if next == nil {
            isPerforming = false
            if isInactive { connection.end() }
        }
        if isReadDeferred, pending.count < settings.maxPendingMessages, let context {
            isReadDeferred = false
            context.read()
        }
        if next == nil { closeIfClientDone() }
        return next
    }

    /// Answers a client's close once everything it sent before has been performed and
    /// answered, pipelined publishes included.
    private func closeIfClientDone() {
        guard closeReceived, !isPerforming else { return }
        let queue = connection.queue
        connection.publishes.whenSettled { queue.close(CloseReason(code: 1000, reason: "")) }
    }

    /// Writes what the queue holds, flushing once; on its close, starts the closing handshake.
    private func drain() {
        while let next = connection.queue.take() {
            switch next {
            case .frames(let frames):
                let bytes = frames.bytes
                guard let context, !closeSent else {
                    connection.queue.didWrite(bytes: bytes)  // nothing goes out after the close frame
                    continue
                }
                // A small batch to a socket that keeps up (NIO's buffer under its 64 KiB
                // high-water mark, or back under the 32 KiB low one) counts as written at once,
                // with no promise. A large batch, or any once the socket has backed up, counts
                // against the queue until its write completes.
                let isTracked = bytes > Self.untrackedBatchBytes || !context.channel.isWritable
                let written = isTracked ? context.eventLoop.makePromise(of: Void.self) : nil
                var unwritten = frames.count
                for frame in frames {
                    unwritten -= 1
                    write(frame, context: context, promise: unwritten == 0 ? written : nil)
                }
                context.flush()
                guard let written else {
                    connection.queue.didWrite(bytes: bytes)
                    continue
                }
                written.futureResult.whenComplete { [queue = connection.queue] result in
                    switch result {
                    case .success: queue.didWrite(bytes: bytes)
                    case .failure: queue.close(.writeFailed)
                    }
                }
            case .close(let reason):
                sendClose(reason)
            }
        }
    }

    /// Writes a frame: deflated when compression was negotiated and it pays, otherwise its
    /// wire bytes as they are, from the frame encoder's position (see ``wireContext``).
    private func write(_ frame: OutboundFrame, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        if let deflate {
            let payload = frame.payload
            if payload.readableBytes >= PerMessageDeflate.minimumCompressedBytes,
               let deflated = try? deflate.compress(payload, allocator: context.channel.allocator) {
                context.write(wrapOutboundOut(WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: deflated)), promise: promise)
                return
            }
        }
        wireContext.write(NIOAny(frame.wire), promise: promise)
    }

    private func sendClose(_ reason: CloseReason) {
        guard let context, !closeSent, context.channel.isActive else { return }
        closeSent = true
        pinger?.cancel()
        if reason == .slowConsumer {
            HubMetrics.slowConsumerCloses.increment()
            connection.logger.info("closing a slow consumer", metadata: ["sb.queue_bytes": "\(connection.queue.maxBytes)"])
        }
        // 1006 means the socket failed: there is no one to send a close frame to.
        guard reason.code != CloseReason.writeFailed.code else {
            context.close(promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(Self.closeFrame(reason, allocator: context.channel.allocator)), promise: written)
        if closeReceived {
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
        armCloseDeadline(context)
    }

    /// Drops the socket if the closing handshake has not finished within the timeout (a
    /// client that stops reading never lets the close frame out).
    private func armCloseDeadline(_ context: ChannelHandlerContext) {
        guard closeDeadline == nil else { return }
        let channel = context.channel
        closeDeadline = context.eventLoop.scheduleTask(in: settings.closeTimeout) { channel.close(promise: nil) }
    }

    /// Pings a client that was silent for a period; closes one that stayed silent since the last ping.
    private func ping() {
        guard let context, !closeSent else { return }
        guard heardSincePing else {
            connection.queue.close(CloseReason(code: 1001, reason: "ping timeout"))
            return
        }
        heardSincePing = false
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
    }

    /// A close frame: the code, then the reason cut to fit the 125-byte control frame limit.
    static func closeFrame(_ reason: CloseReason, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 125)
        data.write(webSocketErrorCode: WebSocketErrorCode(codeNumber: Int(reason.code)))
        var text = Substring(reason.reason)
        while text.utf8.count > 123 { text.removeLast() }
        data.writeString(String(text))
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }
}
