import NIOCore
import NIOPosix
import NIOWebSocket

/// What the counted publishers did.
struct CountedPublishTally: Sendable {
    var acked = 0
    var refused = 0
    /// When the last acknowledgement arrived (``Monotonic``), 0 if none did.
    var lastAck: UInt64 = 0
    /// The first refusal or connection error.
    var problem: String?

    mutating func add(_ other: CountedPublishTally) {
        acked += other.acked
        refused += other.refused
        lastAck = max(lastAck, other.lastAck)
        problem = problem ?? other.problem
    }

    /// The `published` line: acknowledged of `count`, and the rate from `start` (``Monotonic``)
    /// to the last acknowledgement.
    func report(of count: Int, since start: UInt64) {
        let window = Monotonic.seconds(max(lastAck, start) - start)
        Report.field("published", "\(acked) acknowledged of \(count), \(refused) refused, in " + Report.fixed(window, 2)
            + " s = " + (window > 0 ? Report.fixed(Double(acked) / window, 0) : "?") + "/s")
    }
}

/// Publishes exactly `count` events, as fast as the hub acknowledges them: several
/// connections take the next event number from one shared counter and each keeps up to
/// `window` publishes outstanding. Event `n` is `{"name":"bench.hook","data":{"seq":n}}`.
enum CountedPublisher {
    /// Returns when every publish is answered (or its connection failed).
    static func run(hub: HubOptions, topic: String, count: Int, connections: Int, window: Int) async -> CountedPublishTally {
        let claims = Claims(total: count)
        return await withTaskGroup(of: CountedPublishTally.self) { group in
            for _ in 0..<connections {
                group.addTask { await publishLoop(hub: hub, topic: topic, claims: claims, window: window) }
            }
            return await group.reduce(into: CountedPublishTally()) { $0.add($1) }
        }
    }

    private static func publishLoop(hub: HubOptions, topic: String, claims: Claims, window: Int) async -> CountedPublishTally {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let done = eventLoop.makePromise(of: CountedPublishTally.self)
        do {
            _ = try await RawWebSocket.connect(hub, on: eventLoop) {
                CountedPublishHandler(topic: topic, claims: claims, window: window, done: done)
            }
            return try await done.futureResult.get()
        } catch {
            done.fail(error)
            return CountedPublishTally(problem: "\(error)")
        }
    }
}

/// One publisher connection of ``CountedPublisher``: keeps `window` publishes outstanding
/// while event numbers last, then closes once all are answered. Runs on the event loop.
final class CountedPublishHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let topic: String
    private let claims: Claims
    private let window: Int
    private let done: EventLoopPromise<CountedPublishTally>
    private var tally = CountedPublishTally()
    private var outstanding = 0
    private var finished = false

    init(topic: String, claims: Claims, window: Int, done: EventLoopPromise<CountedPublishTally>) {
        self.topic = topic
        self.claims = claims
        self.window = window
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        refill(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let scan = FrameScan(frame.data)
        guard scan.kind == .reply else { return }
        outstanding -= 1
        if scan.contains(FrameScan.okTrue) {
            tally.acked += 1
            tally.lastAck = Monotonic.now()
        } else {
            tally.refused += 1
            tally.problem = tally.problem ?? scan.text
        }
        refill(context: context)
    }

    /// Publishes until `window` are outstanding or no event is left; closes when none is outstanding.
    private func refill(context: ChannelHandlerContext) {
        while outstanding < window, let number = claims.claim() {
            outstanding += 1
            RawWebSocket.writeText(
                #"{"op":"publish","id":\#(number + 1),"topic":"\#(topic)","name":"bench.hook","data":{"seq":\#(number)}}"#,
                context: context)
        }
        if outstanding == 0 { RawWebSocket.close(context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tally.problem = tally.problem ?? "\(error)"
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        done.succeed(tally)
    }
}
