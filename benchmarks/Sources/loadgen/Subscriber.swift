import NIOCore
import NIOWebSocket

/// What one subscriber connection saw.
struct SubscriberTally: SubscribingTally {
    var subscribed = false
    /// Events received, not counting the `end` marker.
    var received = 0
    /// Offsets skipped: an event arrived whose offset was more than one past the previous.
    var missingOffsets = 0
    /// Events whose offset was not above the previous one (duplicates or reordering).
    var outOfOrder = 0
    var sawEnd = false
    /// When the last counted event arrived (``Monotonic``).
    var lastReceive: UInt64 = 0
    /// Frames other than events and replies (presence, disconnect, error).
    var otherFrames = 0
    /// The first unexpected frame, refused subscribe or error.
    var problem: String?
}

/// A subscriber: subscribes to one topic, then counts events, checks their offsets are
/// contiguous, and records publish-to-receive latency from each event's `t`, until the
/// `end` marker arrives (or the connection closes, or the task is cancelled).
enum Subscriber {
    /// `readsCommitTimes`: whether this subscriber tells the timeline each event's `time`
    /// (one subscriber per run is enough).
    static func run(
        hub: HubOptions, topic: String, recorder: LatencyRecorder, timeline: EventTimeline, readsCommitTimes: Bool,
        progress: Progress
    ) async -> SubscriberTally {
        await SubscriberHandler.run(hub, progress: progress) { done in
            SubscriberHandler(
                topic: topic, recorder: recorder, timeline: timeline, readsCommitTimes: readsCommitTimes, progress: progress, done: done)
        }
    }
}

/// The subscriber's frame handler; all of it runs on the connection's event loop.
final class SubscriberHandler: SubscribingHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let topic: String
    let progress: Progress
    let done: EventLoopPromise<SubscriberTally>
    var latencies: LatencyRecorder.Batch
    var tally = SubscriberTally()
    private var lastOffset: Int64 = 0
    var finished = false

    /// The timeline this subscriber tells each event's commit time, if it is the one that does.
    private let commitTimes: EventTimeline?

    init(
        topic: String, recorder: LatencyRecorder, timeline: EventTimeline, readsCommitTimes: Bool, progress: Progress,
        done: EventLoopPromise<SubscriberTally>
    ) {
        self.topic = topic
        self.commitTimes = readsCommitTimes ? timeline : nil
        self.progress = progress
        self.done = done
        self.latencies = LatencyRecorder.Batch(recorder, timeline: timeline)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let now = Monotonic.now()
        let scan = FrameScan(frame.data)
        switch scan.kind {
        case .event:
            if scan.contains(FrameScan.endName) {
                tally.sawEnd = true
                RawWebSocket.close(context: context)
                return
            }
            guard let offset = scan.integer(after: FrameScan.offsetKey) else {
                tally.problem = tally.problem ?? "event without offset: " + scan.text
                return
            }
            if offset > lastOffset + 1 { tally.missingOffsets += Int(offset - lastOffset - 1) }
            if offset <= lastOffset { tally.outOfOrder += 1 }
            lastOffset = max(lastOffset, offset)
            tally.received += 1
            tally.lastReceive = now
            if let sent = scan.integer(after: FrameScan.timeKey), sent > 0, UInt64(sent) <= now {
                let number = scan.integer(after: FrameScan.sequenceKey).map(Int.init)
                latencies.add(nanoseconds: now - UInt64(sent), event: number)
                if let commitTimes, let number, let committed = scan.dayMilliseconds(after: FrameScan.timeOfEventKey) {
                    commitTimes.committed(number, dayMilliseconds: committed)
                }
            }
        case .reply:
            // Live events follow the subscribe reply's position.
            if subscribeAnswered(scan, context: context) { lastOffset = scan.integer(after: FrameScan.offsetKey) ?? 0 }
        case .other:
            tally.otherFrames += 1
            tally.problem = tally.problem ?? scan.text
        }
    }
}
