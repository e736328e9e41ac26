import Channels
import HummingbirdWebSocket
import NIOWebSocket

/// Drains an ``OutboundQueue`` in the connection's task through WSCore's outbound writer,
/// one awaited write per frame, so negotiated extensions (permessage-deflate) compress each
/// frame. Slower than ``ChannelFrameWriter``; used only where an extension is negotiated.
struct TaskFrameWriter: FrameWriter {
    let queue: OutboundQueue
    let outbound: WebSocketOutboundWriter

    func run() async -> CloseReason {
        for await _ in queue.wakeUps() {
            while let next = queue.take() {
                switch next {
                case .frames(let frames, let bytes):
                    do {
                        for frame in frames {
                            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                        }
                        queue.didWrite(bytes: bytes)
                    } catch {
                        queue.close(.writeFailed)
                    }
                case .close(let reason):
                    return reason
                }
            }
        }
        return .writeFailed  // the task was cancelled
    }
}
