import ArgumentParser
import NIOCore
import NIOPosix
import NIOWebSocket

/// `loadgen publish`: C publishers, each with N publishes outstanding (one by default): send,
/// and send the next as each durable acknowledgement comes back.
struct PublishThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "C concurrent publishers, N outstanding publishes each; acknowledged publishes/s and ack latency.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Publisher connections.") var publishers: Int = 50
    @Option(help: "Publishes each connection keeps sent and not yet acknowledged (pipelined).") var outstanding: Int = 1
    @Option(help: "Seconds measured.") var duration: Double = 10
    @Option(help: "Seconds of publishing before measuring starts.") var warmup: Double = 2
    @Option(help: "Topics the publishers spread over (publisher i uses topic i % topics).") var topics: Int = 1
    @Option(help: "Measured rounds in a row against the same hub (to see whether it slows down as it ages).")
    var rounds: Int = 1

    struct Tally: ConnectionTally {
        var acked = 0
        var refused = 0
        var problem: String?
    }

    func run() async throws {
        Report.header("publish", "\(publishers) publishers, \(outstanding) outstanding publish(es) each, \(topics) topic(s), "
            + "\(warmup) s warm-up then \(duration) s measured" + (rounds > 1 ? ", \(rounds) rounds" : ""))
        for round in 1...max(rounds, 1) {
            if rounds > 1 { Report.line("-- round \(round)") }
            await measure(warmup: round == 1 ? warmup : 0)
        }
    }

    private func measure(warmup: Double) async {
        let recorder = LatencyRecorder()
        let measureFrom = Monotonic.now() + UInt64((warmup + 0.5) * 1e9)
        let measureUntil = measureFrom + UInt64(duration * 1e9)
        var cpu = CPUWindow(hubPid: hub.hubPid)
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for index in 0..<publishers {
                let topic = "events:publish-\(HubSocket.runID)-\(index % topics)"
                group.addTask { [outstanding] in
                    await Self.publishLoop(
                        hub: hub, topic: topic, outstanding: outstanding, recorder: recorder, from: measureFrom, until: measureUntil)
                }
            }
            try? await Monotonic.sleep(until: measureFrom)
            cpu.start()
            var tallies: [Tally] = []
            for await tally in group { tallies.append(tally) }
            return tallies
        }
        let cpuLine = cpu.stop()
        let hubWrites = cpu.hubWriteSyscalls
        let acked = tallies.reduce(0) { $0 + $1.acked }
        Report.field("acknowledged", "\(acked) in \(Report.fixed(duration, 1)) s = "
            + Report.fixed(Double(acked) / duration, 0) + " publishes/s")
        Report.field("refused", "\(tallies.reduce(0) { $0 + $1.refused })")
        Report.field("ack latency", recorder.summary)
        Report.field("cpu", cpuLine)
        if let hubWrites { Report.field("hub write syscalls", "\(hubWrites) while measuring") }
        Report.problems(tallies.compactMap(\.problem))
    }

    /// One publisher connection until `until`.
    private static func publishLoop(
        hub: HubOptions, topic: String, outstanding: Int, recorder: LatencyRecorder, from: UInt64, until: UInt64
    ) async -> Tally {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let done = eventLoop.makePromise(of: Tally.self)
        do {
            _ = try await RawWebSocket.connect(hub, on: eventLoop) {
                PublishLoopHandler(topic: topic, outstanding: outstanding, recorder: recorder, from: from, until: until, done: done)
            }
            return try await done.futureResult.get()
        } catch {
            done.fail(error)
            return Tally(problem: "\(error)")
        }
    }
}

/// Keeps `outstanding` publishes sent: publishes that many, then one more for each reply,
/// until `until`; counts and times the acknowledgements of publishes sent at or after
/// `from`. Runs on the event loop.
final class PublishLoopHandler: MeasuringHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let topic: String
    private let outstanding: Int
    private let from: UInt64
    private let until: UInt64
    let done: EventLoopPromise<PublishThroughput.Tally>
    var latencies: LatencyRecorder.Batch
    var tally = PublishThroughput.Tally()
    private var id = 0
    /// When each unanswered publish was sent, by id.
    private var sentAt: [Int: UInt64] = [:]
    private var isClosing = false
    var finished = false

    init(
        topic: String, outstanding: Int, recorder: LatencyRecorder, from: UInt64, until: UInt64,
        done: EventLoopPromise<PublishThroughput.Tally>
    ) {
        self.topic = topic
        self.outstanding = max(1, outstanding)
        self.from = from
        self.until = until
        self.done = done
        self.latencies = LatencyRecorder.Batch(recorder)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        for _ in 0..<outstanding { publishNext(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let scan = FrameScan(frame.data)
        guard scan.kind == .reply, let id = scan.integer(after: FrameScan.idKey), let sentAt = sentAt.removeValue(forKey: Int(id))
        else { return }
        let answered = Monotonic.now()
        if sentAt >= from, answered <= until {
            if scan.contains(FrameScan.okTrue) {
                tally.acked += 1
                latencies.add(nanoseconds: answered - sentAt)
            } else {
                tally.refused += 1
                tally.problem = tally.problem ?? scan.text
            }
        }
        publishNext(context: context)
    }

    private func publishNext(context: ChannelHandlerContext) {
        guard !isClosing else { return }
        let now = Monotonic.now()
        guard now < until else {
            // Past the window: close once the publishes still unanswered are answered.
            if sentAt.isEmpty {
                isClosing = true
                RawWebSocket.close(context: context)
            }
            return
        }
        id += 1
        sentAt[id] = now
        RawWebSocket.writeText(
            #"{"op":"publish","id":\#(id),"topic":"\#(topic)","name":"tick","data":{"t":\#(now),"seq":\#(id)}}"#,
            context: context)
    }
}
