import Channels
import Foundation
import Gateways
import Logging
import Metrics
import NIOCore
import Store
import Synchronization

/// One WebSocket client's session: its identity, subscriptions, rate limit and token expiry,
/// and the byte-bounded ``OutboundQueue`` its frames leave through.
///
/// The transport is ``SocketHandler``, on the connection's event loop: it hands each client
/// message to ``handle(_:)`` in order and drains the queue. Nothing that happens here can
/// block another connection: fan-out only ever enqueues.
///
/// Lifecycle: ``start()`` once the socket is upgraded; the hub closes the connection by
/// closing its queue (slow consumer, token expiry, shutdown, abuse); ``end()`` once the
/// socket has closed, which leaves its topics and the registry.
final class Connection: Sendable {
    struct State {
        var authentication: Authentication
        var subscriptions: Set<TopicName> = []
        var bucket: TokenBucket?
        var abuse: AbuseMeter
        /// Closes the connection with 4001 when the token expires; replaced by `auth`.
        var expiry: Scheduled<Void>?
    }

    let id: UInt64
    let clientID: String
    let queue: OutboundQueue
    /// Publishes sent without waiting for their replies, bounded.
    let publishes: InFlightPublishes
    let hub: HubContext
    /// The event loop of the connection's socket, where its timers run.
    let eventLoop: any EventLoop
    let state: Mutex<State>
    let logger: Logger

    init(id: UInt64, authentication: Authentication, hub: HubContext, eventLoop: any EventLoop) {
        self.id = id
        self.clientID = "c_" + Authenticator.randomToken(bytes: 9)
        self.queue = OutboundQueue(maxBytes: hub.configuration.outboundQueueBytes)
        self.publishes = InFlightPublishes(limit: hub.configuration.maxPublishesInFlight)
        self.hub = hub
        self.eventLoop = eventLoop
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

    /// Arms the token's expiry; called once the socket is upgraded.
    func start() {
        logger.debug("connected")
        scheduleExpiry()
    }

    /// Leaves every topic and the registry; called once the socket has closed.
    func end() {
        let (expiry, subscriptions) = state.withLock { state in
            defer { state.subscriptions = [] }
            return (state.expiry, state.subscriptions)
        }
        expiry?.cancel()
        for topic in subscriptions {
            hub.topics.unsubscribe(id, from: topic)
        }
        hub.connections.remove(self)
        logger.debug("disconnected")
    }

    /// Sends a final `disconnect` frame, then closes.
    func disconnect(code: UInt16, reason: String, reconnect: Bool) {
        queue.enqueue(ServerFrames.disconnect(code: code, reason: reason, reconnect: reconnect))
        queue.close(CloseReason(code: code, reason: reason))
    }

    /// (Re)arms the 4001 close for the current token's expiry; API keys do not expire.
    func scheduleExpiry() {
        let expires = state.withLock { $0.authentication.expires }
        let expiry = expires.map { expires in
            eventLoop.scheduleTask(in: .milliseconds(Int64(max(0, expires.timeIntervalSinceNow) * 1000) + 1)) { [weak self] () -> Void in
                self?.disconnect(code: 4001, reason: "token expired", reconnect: true)
            }
        }
        state.withLock { state in
            state.expiry?.cancel()
            state.expiry = expiry
        }
    }

    /// The largest message the transport reads: twice the protocol limit, so a message over
    /// the limit is still read and answered `too_large`; a larger one closes with 1009.
    static func maxMessageSize(_ configuration: HubConfiguration) -> Int {
        configuration.maxMessageBytes * 2
    }
}
