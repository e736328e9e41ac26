import Channels
import NIOCore
import NIOWebSocket
import Synchronization

/// Drains an ``OutboundQueue`` on the connection's event loop, straight into its NIO channel.
///
/// Fan-out wakes it with one `execute` on the event loop; the drain writes every queued frame
/// and flushes once, so a backlog leaves in one system call and a connection costs no task.
/// The frames' bytes count against the queue's bound until the flush completes, which makes a
/// client that stops reading overflow its queue (4008) instead of growing NIO's buffer.
///
/// Only for connections without WebSocket extensions: frames written here bypass WSCore's
/// extension processing. WSCore's own frames (pongs, pings, the close) share the channel,
/// and every write happens on the event loop, so they keep their order with ours.
final class ChannelFrameWriter: FrameWriter {
    private let queue: OutboundQueue
    private let channel: any Channel
    private let finished = Mutex<CheckedContinuation<CloseReason, Never>?>(nil)

    init(queue: OutboundQueue, channel: any Channel) {
        self.queue = queue
        self.channel = channel
    }

    func run() async -> CloseReason {
        await withCheckedContinuation { continuation in
            finished.withLock { $0 = continuation }
            queue.setWake { [self] in channel.eventLoop.execute { self.drain() } }
        }
    }

    /// Writes what the queue holds; runs on the event loop.
    private func drain() {
        let pipeline = channel.pipeline.syncOperations
        while let next = queue.take() {
            switch next {
            case .frames(let frames, let bytes):
                let flushed = channel.eventLoop.makePromise(of: Void.self)
                for (index, frame) in frames.enumerated() {
                    let isLast = index == frames.count - 1
                    pipeline.write(NIOAny(WebSocketFrame(fin: true, opcode: .text, data: frame)), promise: isLast ? flushed : nil)
                }
                pipeline.flush()
                flushed.futureResult.whenComplete { [queue] result in
                    switch result {
                    case .success: queue.didWrite(bytes: bytes)
                    case .failure: queue.close(.writeFailed)
                    }
                }
            case .close(let reason):
                finished.withLock { continuation in
                    defer { continuation = nil }
                    return continuation
                }?.resume(returning: reason)
                return
            }
        }
    }
}
