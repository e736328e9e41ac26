import NIOCore
import NIOPosix
import NIOWebSocket

/// What one subscriber connection saw.
struct SubscriberTally: ConnectionTally {
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
    static func run(hub: HubOptions, topic: String, recorder: LatencyRecorder, progress: Progress) async -> SubscriberTally {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let done = eventLoop.makePromise(of: SubscriberTally.self)
        let channel: any Channel
        do {
            channel = try await RawWebSocket.connect(hub, on: eventLoop) {
                SubscriberHandler(topic: topic, recorder: recorder, progress: progress, done: done)
            }
        } catch {
            done.fail(error)
            progress.failed.add(1, ordering: .relaxed)
            var tally = SubscriberTally()
            tally.problem = "\(error)"
            return tally
        }
        let tally = await withTaskCancellationHandler {
            (try? await done.futureResult.get()) ?? SubscriberTally()
        } onCancel: {
            channel.close(promise: nil)
        }
        if !tally.subscribed { progress.failed.add(1, ordering: .relaxed) }
        return tally
    }
}

/// The subscriber's frame handler; all of it runs on the connection's event loop.
final class SubscriberHandler: MeasuringHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let topic: String
    private let progress: Progress
    let done: EventLoopPromise<SubscriberTally>
    var latencies: LatencyRecorder.Batch
    var tally = SubscriberTally()
    private var lastOffset: Int64 = 0
    var finished = false

    init(topic: String, recorder: LatencyRecorder, progress: Progress, done: EventLoopPromise<SubscriberTally>) {
        self.topic = topic
        self.progress = progress
        self.done = done
        self.latencies = LatencyRecorder.Batch(recorder)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        RawWebSocket.writeText(#"{"op":"subscribe","id":1,"topic":"\#(topic)"}"#, context: context)
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
                latencies.add(nanoseconds: now - UInt64(sent))
            }
        case .reply:
            guard scan.contains(FrameScan.okTrue) else {
                tally.problem = "subscribe refused: " + scan.text
                RawWebSocket.close(context: context)
                return
            }
            // Live events follow the subscribe reply's position.
            lastOffset = scan.integer(after: FrameScan.offsetKey) ?? 0
            tally.subscribed = true
            progress.ready.add(1, ordering: .relaxed)
        case .other:
            tally.otherFrames += 1
            tally.problem = tally.problem ?? scan.text
        }
    }
}
