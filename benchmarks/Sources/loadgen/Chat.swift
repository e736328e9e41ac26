import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import NIOWebSocket

/// `loadgen chat`: N live chats, each a customer and an agent connection in ping-pong: one
/// posts a message (a WebSocket `publish` to `chat:{id}`, which the chat actor validates,
/// stamps and commits), the other receives it as `message.created` and answers at once.
/// Reports messages delivered per second and the latency from publish to the other
/// participant's receipt.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N chats of a customer and an agent in ping-pong; messages/s end to end and publish-to-receive latency.")

    @OptionGroup var hub: HubOptions
    @Option(help: "A token of role customer whose subject is --customer.") var customerToken: String
    @Option(help: "A token of role agent whose subject is --agent.") var agentToken: String
    @Option(help: "The customer's subject.") var customer = "bench-customer"
    @Option(help: "The agent's subject.") var agent = "bench-agent"
    @Option(help: "Concurrent chats.") var chats: Int = 500
    @Option(help: "Seconds measured.") var duration: Double = 10
    @Option(help: "Seconds of chatting before measuring starts.") var warmup: Double = 2
    @Option(help: "Milliseconds a participant waits before answering (0: at once, the hub's saturation).") var think: Int = 0

    func run() async throws {
        Report.header("chat", "\(chats) chats (a customer and an agent each) in ping-pong, answering "
            + (think == 0 ? "at once" : "after \(think) ms") + ", \(warmup) s warm-up then \(duration) s measured")
        let started = Monotonic.now()
        // At most 32 chats are opened at once.
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            var ids: [String] = []
            var opened = 0
            while opened < min(32, chats) {
                group.addTask { try await openChat() }
                opened += 1
            }
            while let id = try await group.next() {
                ids.append(id)
                if opened < chats {
                    group.addTask { try await openChat() }
                    opened += 1
                }
            }
            return ids
        }
        Report.field("set-up", "\(ids.count) chats opened and assigned in " + Report.fixed(Monotonic.seconds(Monotonic.now() - started), 1) + " s")

        let recorder = LatencyRecorder()
        let measureFrom = Monotonic.now() + UInt64((warmup + 1) * 1e9)
        let measureUntil = measureFrom + UInt64(duration * 1e9)
        let agentHub = hub.with(token: agentToken)
        let customerHub = hub.with(token: customerToken)
        var cpu = CPUWindow(hubPid: hub.hubPid)
        let window = Window(from: measureFrom, until: measureUntil, thinkNanoseconds: Int64(think) * 1_000_000)
        let tallies = try await withThrowingTaskGroup(of: ChatTally.self) { group in
            // Agents first, so every customer's first message finds its agent subscribed.
            let agentsReady = Progress()
            for id in ids {
                group.addTask { try await Self.participant(agentHub, topic: "chat:\(id)", opens: false, window: window, recorder: recorder, ready: agentsReady) }
            }
            guard try await agentsReady.waitForSettled(ids.count, timeout: 60) else { throw ChatError.agentsNotReady }
            let customersReady = Progress()
            for id in ids {
                group.addTask { try await Self.participant(customerHub, topic: "chat:\(id)", opens: true, window: window, recorder: recorder, ready: customersReady) }
            }
            try? await Monotonic.sleep(until: measureFrom)
            cpu.start()
            var tallies: [ChatTally] = []
            for try await tally in group { tallies.append(tally) }
            return tallies
        }
        let cpuLine = cpu.stop()
        let delivered = tallies.reduce(0) { $0 + $1.received }
        Report.field("delivered", "\(delivered) messages in \(Report.fixed(duration, 1)) s = "
            + Report.fixed(Double(delivered) / duration, 0) + " messages/s, each from one participant to the other")
        Report.field("refused", "\(tallies.reduce(0) { $0 + $1.refused })")
        Report.field("latency", recorder.summary + " (publish sent to message.created received by the other side)")
        Report.field("cpu", cpuLine)
        Report.problems(tallies.compactMap(\.problem))
    }

    /// Opens a chat for the customer (as the service) and hands it to the agent.
    private func openChat() async throws -> String {
        let created = try await HubREST.request(
            hub, method: .POST, path: "/api/v1/support/chats", json: #"{"queue":"bench","customer":"\#(customer)"}"#)
        guard created.status == 201,
              let object = try? JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any],
              let id = object["id"] as? String
        else { throw HubRESTError.unexpected(status: created.status, body: created.body) }
        let transferred = try await HubREST.request(
            hub, method: .POST, path: "/api/v1/support/chats/\(id)/transfer", json: #"{"agent":"\#(agent)"}"#)
        guard transferred.status == 200 else { throw HubRESTError.unexpected(status: transferred.status, body: transferred.body) }
        return id
    }

    /// One participant's connection until the window ends.
    private static func participant(
        _ hub: HubOptions, topic: String, opens: Bool, window: Window, recorder: LatencyRecorder, ready: Progress
    ) async throws -> ChatTally {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let done = eventLoop.makePromise(of: ChatTally.self)
        do {
            _ = try await RawWebSocket.connect(hub, on: eventLoop) {
                ChatParticipantHandler(topic: topic, opens: opens, window: window, recorder: recorder, ready: ready, done: done)
            }
            return try await done.futureResult.get()
        } catch {
            ready.failed.add(1, ordering: .relaxed)
            done.fail(error)
            return ChatTally(problem: "\(error)")
        }
    }

    /// When to measure, and how long a participant waits before answering.
    struct Window: Sendable {
        var from: UInt64
        var until: UInt64
        var thinkNanoseconds: Int64
    }
}

extension HubOptions {
    /// The same hub, reached with another token.
    func with(token: String) -> HubOptions {
        var options = self
        options.token = token
        return options
    }
}

enum ChatError: Error, CustomStringConvertible {
    case agentsNotReady

    var description: String { "the agents' connections did not all subscribe within 60 s" }
}

/// What one participant counted inside the window.
struct ChatTally: ConnectionTally {
    var received = 0
    var refused = 0
    var problem: String?
}

/// A chat participant on the event loop: subscribes to its chat, then answers every
/// message of the other side at once; the customer (`opens`) writes the first message.
/// Message text is the send time, so the receiver measures the latency.
final class ChatParticipantHandler: MeasuringHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let topic: String
    private let opens: Bool
    private let window: Chat.Window
    private let ready: Progress
    let done: EventLoopPromise<ChatTally>
    /// `"staff":true` for a customer (it answers agents), `"staff":false` for an agent.
    private let fromOtherSide: [UInt8]
    var latencies: LatencyRecorder.Batch
    var tally = ChatTally()
    private var id = 1
    var finished = false

    private static let textKey = Array(#""text":""#.utf8)

    init(topic: String, opens: Bool, window: Chat.Window, recorder: LatencyRecorder, ready: Progress, done: EventLoopPromise<ChatTally>) {
        self.topic = topic
        self.opens = opens
        self.window = window
        self.ready = ready
        self.done = done
        self.fromOtherSide = Array((opens ? #""staff":true"# : #""staff":false"#).utf8)
        self.latencies = LatencyRecorder.Batch(recorder)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RawWebSocket.Start else { return context.fireUserInboundEventTriggered(event) }
        RawWebSocket.writeText(#"{"op":"subscribe","id":1,"topic":"\#(topic)"}"#, context: context)
        // Whoever is waiting for an answer when the window ends closes a second later.
        let closeAt = window.until + 1_000_000_000
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(closeAt - min(closeAt, Monotonic.now())))) {
            RawWebSocket.close(context: loopBound.value)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !RawWebSocket.handleControl(frame, context: context) else { return }
        let scan = FrameScan(frame.data)
        switch scan.kind {
        case .reply where scan.integer(after: FrameScan.idKey) == 1:
            ready.ready.add(1, ordering: .relaxed)
            if opens { post(context: context) }
        case .reply:
            if !scan.contains(FrameScan.okTrue) {
                tally.refused += 1
                tally.problem = tally.problem ?? scan.text
            }
        case .event where scan.contains(fromOtherSide):
            let now = Monotonic.now()
            if let sent = scan.integer(after: Self.textKey), UInt64(sent) >= window.from, now <= window.until {
                tally.received += 1
                latencies.add(nanoseconds: now - UInt64(sent))
            }
            if window.thinkNanoseconds == 0 {
                post(context: context)
            } else {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .nanoseconds(window.thinkNanoseconds)) {
                    let (handler, context) = loopBound.value
                    handler.post(context: context)
                }
            }
        default:
            break
        }
    }

    /// Posts the next message, or closes once the window is over.
    private func post(context: ChannelHandlerContext) {
        let now = Monotonic.now()
        guard now < window.until else {
            RawWebSocket.close(context: context)
            return
        }
        id += 1
        RawWebSocket.writeText(#"{"op":"publish","id":\#(id),"topic":"\#(topic)","name":"message","data":{"text":"\#(now)"}}"#, context: context)
    }
}
