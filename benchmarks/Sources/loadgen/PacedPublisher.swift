import NIOCore
import NIOPosix
import NIOWebSocket

/// What one paced publisher connection did.
struct PublisherTally: ConnectionTally {
    var sent = 0
    /// Acknowledged publishes per topic index.
    var ackedPerTopic: [Int] = []
    var failed = 0
    /// How far behind its schedule the publisher fell at worst, in nanoseconds.
    var maxLag: UInt64 = 0
    var problem: String?

    var acked: Int { ackedPerTopic.reduce(0, +) }
}

/// A publisher holding an offered rate: of the run's events 0, 1, 2, ... (event `n` due at
/// `start + n / rate`, to `topics[n % topics.count]`), it sends those with
/// `n % stride == index`. Publishes are pipelined: replies are read as they come, and a
/// final `ping` (id 0) tells it every publish has been answered, since the hub answers a
/// connection's frames in order.
///
/// Each event's data is `{"t":<Monotonic.now() when sent>,"seq":n}`. The publishers run on
/// an event loop of their own, a timer each, and read the clock right before the write: so
/// `t` is when the publish left, not when a loop busy reading a thousand subscribers got to
/// it. The timeline learns when each event was sent and acknowledged.
enum PacedPublisher {
    /// The publishers' own event loop (one thread).
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static func run(
        hub: HubOptions, topics: [String], rate: Double, index: Int, stride: Int, start: UInt64, end: UInt64,
        acks: LatencyRecorder, timeline: EventTimeline
    ) async -> PublisherTally {
        let schedule = PacedPublisherHandler.Schedule(
            topics: topics, rate: rate, first: index, stride: stride, start: start, end: end)
        return await RawWebSocket.measure(hub, on: eventLoopGroup.next()) { done in
            PacedPublisherHandler(schedule: schedule, acks: acks, timeline: timeline, done: done)
        }
    }

    /// Publishes one `end` event to each topic over a fresh connection and waits for the
    /// acknowledgements: subscribers stop when they see it.
    static func publishEnd(hub: HubOptions, topics: [String]) async throws {
        try await HubSocket.connect(hub) { inbound, outbound, _ in
            for (index, topic) in topics.enumerated() {
                try await outbound.write(.text(#"{"op":"publish","id":\#(index + 1),"topic":"\#(topic)","name":"end","data":{}}"#))
            }
            var answered = 0
            for try await frame in inbound where FrameScan(frame.data).kind == .reply {
                answered += 1
                if answered == topics.count { break }
            }
        }
    }
}

/// One paced publisher connection, on its event loop: a timer per event, and the replies
/// counted (and their latency recorded) as they arrive.
final class PacedPublisherHandler: MeasuringHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Which events this publisher sends, and when.
    struct Schedule: Sendable {
        var topics: [String]
        var rate: Double
        var first: Int
        var stride: Int
        var start: UInt64
        var end: UInt64

        func due(_ number: Int) -> UInt64 { start + UInt64(Double(number) / rate * 1e9) }
    }

    private let schedule: Schedule
    private let timeline: EventTimeline
    /// When each unanswered publish was sent, by event number.
    private var sentAt: [Int: UInt64] = [:]
    private var next: Int
    let done: EventLoopPromise<PublisherTally>
    var latencies: LatencyRecorder.Batch
    var tally = PublisherTally()
    var finished = false

    init(schedule: Schedule, acks: LatencyRecorder, timeline: EventTimeline, done: EventLoopPromise<PublisherTally>) {
        self.schedule = schedule
        self.timeline = timeline
        self.next = schedule.first
        self.done = done
        self.latencies = LatencyRecorder.Batch(acks)
        tally.ackedPerTopic = Array(repeating: 0, count: schedule.topics.count)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        scheduleNext(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let scan = FrameScan(frame.data)
        guard scan.kind == .reply, let id = scan.integer(after: FrameScan.idKey) else { return }
        // The id says which event it was: n + 1 (0 is the final ping).
        guard id > 0 else {
            RawWebSocket.close(context: context)
            return
        }
        let number = Int(id - 1)
        let sent = sentAt.removeValue(forKey: number)
        guard scan.contains(FrameScan.okTrue) else {
            tally.failed += 1
            tally.problem = tally.problem ?? scan.text
            return
        }
        let now = Monotonic.now()
        tally.ackedPerTopic[number % schedule.topics.count] += 1
        if let sent { latencies.add(nanoseconds: now - sent) }
        timeline.acknowledged(number, at: now)
    }

    /// Arms the timer for the next event, or sends the final ping when the schedule is done.
    private func scheduleNext(context: ChannelHandlerContext) {
        let due = schedule.due(next)
        guard due < schedule.end else {
            RawWebSocket.writeText(#"{"op":"ping","id":0}"#, context: context)
            return
        }
        let delay = Int64(due) - Int64(Monotonic.now())
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.value.eventLoop.scheduleTask(in: .nanoseconds(max(0, delay))) {
            handler.value.publish(due: due, context: context.value)
        }
    }

    private func publish(due: UInt64, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let number = next
        let now = Monotonic.now()
        tally.maxLag = max(tally.maxLag, now - min(now, due))
        sentAt[number] = now
        timeline.sent(number, at: now, dayMilliseconds: EventTimeline.dayMilliseconds())
        RawWebSocket.writeText(
            #"{"op":"publish","id":\#(number + 1),"topic":"\#(schedule.topics[number % schedule.topics.count])","name":"tick","data":{"t":\#(now),"seq":\#(number)}}"#,
            context: context)
        tally.sent += 1
        next += schedule.stride
        scheduleNext(context: context)
    }
}
