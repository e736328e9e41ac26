import Channels
import Foundation
import Gateways
import HummingbirdWebSocket
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import Store
import Synchronization

/// One WebSocket client: one read loop that decodes, dispatches and replies in order,
/// and one ``FrameWriter`` draining the connection's byte-bounded ``OutboundQueue``.
///
/// Lifecycle: the read loop ends when the client closes, or when the queue closes (slow
/// consumer, token expiry, shutdown, abuse); the writer then writes the close frame and
/// the connection leaves its topics. Nothing that happens here can block another
/// connection: fan-out only ever enqueues.
final class Connection: Sendable {
    struct State {
        var authentication: Authentication
        var subscriptions: Set<TopicName> = []
        var bucket: TokenBucket?
        var abuse: AbuseMeter
        /// Closes the connection with 4001 when the token expires; replaced by `auth`.
        var expiry: Task<Void, Never>?
    }

    let id: UInt64
    let clientID: String
    let queue: OutboundQueue
    let hub: HubContext
    let state: Mutex<State>
    let logger: Logger

    init(id: UInt64, authentication: Authentication, hub: HubContext) {
        self.id = id
        self.clientID = "c_" + Authenticator.randomToken(bytes: 9)
        self.queue = OutboundQueue(maxBytes: hub.configuration.outboundQueueBytes)
        self.hub = hub
        let now = ContinuousClock.now
        let limit = HubConfiguration.limit(for: authentication.principal.roles, in: hub.configuration.socketLimits)
        self.state = Mutex(State(
            authentication: authentication, bucket: limit.map { TokenBucket($0, now: now) },
            abuse: AbuseMeter(threshold: hub.configuration.abuseThreshold, now: now)))
        var logger = hub.logger
        logger[metadataKey: "sb.client"] = .string(clientID)
        logger[metadataKey: "sb.user"] = .string(authentication.principal.subject)
        self.logger = logger
    }

    var principal: Principal { state.withLock { $0.authentication.principal } }

    var subscriber: Subscriber {
        let principal = self.principal
        return Subscriber(
            id: id, member: PresenceMember(client: clientID, user: principal.subject, isAgent: principal.roles.contains(.agent)), queue: queue,
            seesStaffEvents: principal.isStaff,
            ended: { [weak self] topic in _ = self?.state.withLock { $0.subscriptions.remove(topic) } })
    }

    /// Serves the connection until it closes: reads in a child task while `writer` drains
    /// the queue here, then closes the socket with the queue's close reason. The read loop
    /// runs on `readExecutor` when one is given (see ``EventLoopTaskExecutor``).
    func run(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, writer: some FrameWriter,
        readExecutor: (any TaskExecutor)? = nil
    ) async {
        logger.debug("connected")
        scheduleExpiry()
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: readExecutor) { await self.readLoop(inbound) }
            let reason = await writer.run()
            if reason == .slowConsumer {
                Counter(label: "switchboard_ws_slow_consumer_closes_total").increment()
                logger.info("closing a slow consumer", metadata: ["sb.queue_bytes": "\(queue.maxBytes)"])
            }
            try? await outbound.close(WebSocketErrorCode(codeNumber: Int(reason.code)), reason: reason.reason)
            // The read loop ends when the client answers the close (or sends anything more).
            // Cancelling it sooner would close the socket and drop the close frame, and the
            // frames before it, while they still wait for a slow client to read them.
            group.addTask { try? await Task.sleep(for: Self.closeTimeout) }
            await group.next()
            group.cancelAll()
        }
        state.withLock { $0.expiry }?.cancel()
        for topic in state.withLock({ $0.subscriptions }) {
            hub.topics.unsubscribe(id, from: topic)
        }
        logger.debug("disconnected")
    }

    /// Sends a final `disconnect` frame, then closes.
    func disconnect(code: UInt16, reason: String, reconnect: Bool) {
        queue.enqueue(ServerFrames.disconnect(code: code, reason: reason, reconnect: reconnect))
        queue.close(CloseReason(code: code, reason: reason))
    }

    private func readLoop(_ inbound: WebSocketInboundStream) async {
        // Frames up to twice the limit are read and answered `too_large`; larger ones
        // are cut off by the WebSocket layer, which closes with 1009.
        do {
            for try await message in inbound.messages(maxSize: Self.maxFrameSize(hub.configuration)) {
                // Once closing, nothing more is performed: its reply could not be sent.
                if queue.isClosing { break }
                switch message {
                case .text(let text):
                    await handle(text)
                case .binary:
                    queue.enqueue(ServerFrames.failure(id: nil, error: .badRequest("binary frames are not supported; send JSON text")))
                }
            }
            queue.close(CloseReason(code: 1000, reason: ""))
        } catch {
            queue.close(Self.closeReason(for: error))
        }
    }

    /// (Re)arms the 4001 close for the current token's expiry; API keys do not expire.
    func scheduleExpiry() {
        let expires = state.withLock { $0.authentication.expires }
        let task = expires.map { expires in
            Task {
                let remaining = max(0, expires.timeIntervalSinceNow)
                try? await Task.sleep(for: .milliseconds(Int64(remaining * 1000) + 1))
                guard !Task.isCancelled else { return }
                self.disconnect(code: 4001, reason: "token expired", reconnect: true)
            }
        }
        state.withLock { state in
            state.expiry?.cancel()
            state.expiry = task
        }
    }

    /// 1009 for a message over the size limit, 1002 for any other broken framing.
    static func closeReason(for error: any Error) -> CloseReason {
        // WSCore reports an oversized fragmented message with an internal error type, so
        // its description is the only way to tell it apart.
        if (error as? NIOWebSocketError) == .invalidFrameLength || "\(error)".contains("messageTooLarge") {
            return CloseReason(code: 1009, reason: "message too large")
        }
        return CloseReason(code: 1002, reason: "protocol error")
    }

    /// How long a client has to answer the close frame before the socket is dropped.
    static let closeTimeout = Duration.seconds(5)

    static func maxFrameSize(_ configuration: HubConfiguration) -> Int {
        configuration.maxMessageBytes * 2
    }
}
