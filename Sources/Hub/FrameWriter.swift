import Channels

/// The one writer of a connection: drains its ``OutboundQueue`` into the socket.
///
/// Two implementations, chosen per connection: ``ChannelFrameWriter`` writes straight into
/// the NIO channel on its event loop, many frames per flush and no task; ``TaskFrameWriter``
/// writes through WSCore's outbound writer, so negotiated extensions (permessage-deflate)
/// process each frame.
protocol FrameWriter: Sendable {
    /// Drains the queue until it closes; returns why, once every frame queued before the
    /// close has been handed to the socket (or a write failed: 1006).
    func run() async -> CloseReason
}

extension CloseReason {
    /// The socket refused a write; the client is gone.
    static let writeFailed = CloseReason(code: 1006, reason: "write failed")
}
