import NIOCore
import NIOWebSocket

/// The tally of a connection that subscribes to a topic.
protocol SubscribingTally: ConnectionTally {
    /// Whether the hub accepted the subscribe.
    var subscribed: Bool { get set }
}

/// A measuring handler that subscribes to one topic as soon as the connection is upgraded
/// and counts itself in `progress`: ready once the subscribe is accepted, failed when it is
/// refused or the connection ends without it.
protocol SubscribingHandler: MeasuringHandler where Tally: SubscribingTally, InboundIn == WebSocketFrame {
    var topic: String { get }
    var progress: Progress { get }
}

extension SubscribingHandler {
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        RawWebSocket.writeText(#"{"op":"subscribe","id":1,"topic":"\#(topic)"}"#, context: context)
    }

    /// Takes the subscribe reply: counts the connection ready, or notes the refusal and
    /// closes. Returns whether the subscribe was accepted.
    @discardableResult
    func subscribeAnswered(_ reply: FrameScan, context: ChannelHandlerContext) -> Bool {
        guard reply.contains(FrameScan.okTrue) else {
            tally.problem = "subscribe refused: " + reply.text
            RawWebSocket.close(context: context)
            return false
        }
        tally.subscribed = true
        progress.ready.add(1, ordering: .relaxed)
        return true
    }

    /// Runs a connection with the handler `makeHandler` builds (``RawWebSocket/measure(_:_:)``)
    /// and returns its tally, counted failed in `progress` unless its subscribe was accepted.
    static func run(
        _ hub: HubOptions, progress: Progress, _ makeHandler: @escaping @Sendable (EventLoopPromise<Tally>) -> Self
    ) async -> Tally where Self: SendableMetatype {
        let tally = await RawWebSocket.measure(hub, makeHandler)
        if !tally.subscribed { progress.failed.add(1, ordering: .relaxed) }
        return tally
    }
}
