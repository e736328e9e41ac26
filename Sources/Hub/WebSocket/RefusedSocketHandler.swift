import Channels
import NIOCore
import NIOWebSocket

/// An upgraded connection the registry did not admit (too many for the user: 4029; the hub
/// draining: 1001): sends the close frame and closes the socket once the client answers,
/// or after `closeTimeout`.
///
/// Closing the socket before the client's answer would cut the closing handshake short,
/// which some clients never recover from (they wait for the close they can no longer send).
final class RefusedSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let reason: CloseReason
    private let closeTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(reason: CloseReason, closeTimeout: TimeAmount) {
        self.reason = reason
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(SocketHandler.closeFrame(reason, allocator: context.channel.allocator)), promise: nil)
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if unwrapInboundIn(data).opcode == .connectionClose { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }
}
