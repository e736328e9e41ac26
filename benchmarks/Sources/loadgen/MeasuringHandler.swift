import NIOCore

/// A connection's count of what it measured, with the first problem it met.
protocol ConnectionTally: Sendable {
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
