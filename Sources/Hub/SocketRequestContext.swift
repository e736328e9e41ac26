import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of `/v1/ws`: Hummingbird's WebSocket context plus the NIO channel,
/// which the upgraded connection keeps, so ``ChannelFrameWriter`` can write into it.
struct SocketRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The TCP channel of the request, and after the upgrade of the WebSocket.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.channel = source.channel
    }
}
