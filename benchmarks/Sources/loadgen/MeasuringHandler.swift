import NIOCore
import NIOPosix
import NIOWebSocket

/// A connection's count of what it measured, with the first problem it met.
protocol ConnectionTally: Sendable {
    /// An empty tally.
    init()
    var problem: String? { get set }
}

/// A measuring connection's handler (publisher, subscriber, chat participant): it notes the
/// first error, and hands over its tally once, with its latencies flushed, when the
/// channel ends or the handler is removed, whichever comes first.
protocol MeasuringHandler: ChannelInboundHandler, AnyObject {
    associatedtype Tally: ConnectionTally
    var tally: Tally { get set }
    var latencies: LatencyRecorder.Batch { get set }
    var finished: Bool { get set }
    var done: EventLoopPromise<Tally> { get }
}

extension MeasuringHandler {
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
        latencies.flush()
        done.succeed(tally)
    }
}

extension RawWebSocket {
    /// Connects with the handler that `makeHandler` builds around the promise of its tally,
    /// on `eventLoop` (by default one of the shared ones), and returns the tally once the
    /// connection ends; cancelling the task closes the connection (the handler then hands
    /// over what it has). A connection that cannot be opened gives an empty tally with the
    /// error as its problem.
    static func measure<Handler: MeasuringHandler & SendableMetatype>(
        _ hub: HubOptions, on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        _ makeHandler: @escaping @Sendable (EventLoopPromise<Handler.Tally>) -> Handler
    ) async -> Handler.Tally where Handler.InboundIn == WebSocketFrame {
        let done = eventLoop.makePromise(of: Handler.Tally.self)
        let channel: any Channel
        do {
            channel = try await connect(hub, on: eventLoop) { makeHandler(done) }
        } catch {
            done.fail(error)
            var tally = Handler.Tally()
            tally.problem = "\(error)"
            return tally
        }
        return await withTaskCancellationHandler {
            (try? await done.futureResult.get()) ?? Handler.Tally()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
