import NIOCore

/// Merges the flushes made during one event-loop task into one, issued right after it.
///
/// AsyncHTTPClient writes and flushes a request's head, body and end one after the other
/// in the same task, so each webhook attempt cost three socket writes and sent three TCP
/// segments, each waking the receiver. Behind this handler, placed next to the head of an
/// HTTP/1 connection's pipeline, they leave in one `writev` and one segment. Writes are
/// passed on at once and in order; only the flush waits, and only until the loop's next task.
///
/// - Important: Event-loop bound, like every channel handler: used only from its
///   channel's event loop.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny

    private var isFlushScheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.isFlushScheduled = false
            context.flush()
        }
    }

    /// Adds a coalescer first in `channel`'s pipeline, the shape of AsyncHTTPClient's
    /// `http1_1ConnectionDebugInitializer`.
    @Sendable static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler(), position: .first)
        }
    }
}
