import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A webhook receiver on 127.0.0.1: an HTTP/1.1 server (keep-alive) whose connections are
/// ``WebhookReceiverHandler``s recording into one ``WebhookLedger``. No task per request.
struct WebhookReceiver: Sendable {
    /// What the receiver has seen.
    let ledger: WebhookLedger
    /// The port it listens on.
    let port: Int
    private let channel: any Channel

    /// Listens on 127.0.0.1:`port` (0: a port the kernel picks) and verifies every delivery with `verifier`.
    static func start(port: Int, verifier: WebhookVerifier) async throws -> WebhookReceiver {
        let ledger = WebhookLedger()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WebhookReceiverHandler(ledger: ledger, verifier: verifier))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return WebhookReceiver(ledger: ledger, port: channel.localAddress?.port ?? port, channel: channel)
    }

    /// Stops listening (connections the hub opened close with the process).
    func close() async {
        try? await channel.close()
    }

    /// The URL an endpoint for this receiver's port gets.
    static func url(port: Int) -> String { "http://127.0.0.1:\(port)/hook" }

    /// A port on 127.0.0.1 that nothing listens on, below the kernel's ephemeral range
    /// (`/proc/sys/net/ipv4/ip_local_port_range`). A receiver that is not listening yet must
    /// not have a port from that range: the hub's own connection attempts to it pick their
    /// source ports there, and one that picked the same port would connect to itself.
    static func freePortBelowEphemeralRange() async throws -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
        let candidates = (max(1024, low - 8192)..<low).shuffled()
        for port in candidates.prefix(100) {
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get()
            else { continue }
            try? await channel.close()
            return port
        }
        throw WebhookReceiverError.noFreePort(below: low)
    }
}

enum WebhookReceiverError: Error, CustomStringConvertible {
    case noFreePort(below: Int)

    var description: String {
        switch self {
        case .noFreePort(let low): "no free port found on 127.0.0.1 below \(low)"
        }
    }
}
