import NIOCore
import NIOWebSocket

/// What one inbox watcher saw.
struct InboxWatchTally: SubscribingTally {
    var subscribed = false
    /// Whether its `notification.created` arrived.
    var arrived = false
    /// The refused subscribe, unexpected frame or error.
    var problem: String?
}

/// An inbox watcher: subscribes to `inbox:{user}` and waits for the first
/// `notification.created`, records the time from `sentAt` (when the notification's POST
/// was sent, ``Monotonic``) to its arrival, then closes (or ends when its task is cancelled).
enum InboxWatcher {
    static func run(hub: HubOptions, user: String, sentAt: Box<UInt64>, recorder: LatencyRecorder, progress: Progress) async -> InboxWatchTally {
        await InboxWatcherHandler.run(hub, progress: progress) { done in
            InboxWatcherHandler(topic: "inbox:\(user)", sentAt: sentAt, recorder: recorder, progress: progress, done: done)
        }
    }
}

/// The inbox watcher's frame handler; all of it runs on the connection's event loop.
final class InboxWatcherHandler: SubscribingHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private static let createdName = Array(#""name":"notification.created""#.utf8)

    let topic: String
    let progress: Progress
    private let sentAt: Box<UInt64>
    let done: EventLoopPromise<InboxWatchTally>
    var latencies: LatencyRecorder.Batch
    var tally = InboxWatchTally()
    var finished = false

    init(topic: String, sentAt: Box<UInt64>, recorder: LatencyRecorder, progress: Progress, done: EventLoopPromise<InboxWatchTally>) {
        self.topic = topic
        self.sentAt = sentAt
        self.progress = progress
        self.done = done
        self.latencies = LatencyRecorder.Batch(recorder)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let now = Monotonic.now()
        let scan = FrameScan(frame.data)
        switch scan.kind {
        case .event where scan.contains(Self.createdName):
            let sent = sentAt.get()
            if sent > 0, sent <= now { latencies.add(nanoseconds: now - sent) }
            tally.arrived = true
            RawWebSocket.close(context: context)
        case .event:
            break  // inbox.unread_count
        case .reply:
            subscribeAnswered(scan, context: context)
        case .other:
            tally.problem = tally.problem ?? scan.text
        }
    }
}
