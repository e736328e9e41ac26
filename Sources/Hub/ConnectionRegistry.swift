import Channels
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization

/// The live connections: caps per user, and the drain on shutdown.
///
/// As a `Service` it waits for graceful shutdown, then refuses new connections, sends
/// every client `{"type":"disconnect","code":1001,...,"reconnect":true}`, closes with 1001
/// and waits (up to the configured grace) for them to go, before the HTTP server stops.
final class ConnectionRegistry: Service, Sendable {
    private struct State {
        var connections: [UInt64: Connection] = [:]
        var perUser: [String: Int] = [:]
        var nextID: UInt64 = 1
        var isDraining = false
    }

    private let state = Mutex(State())
    private let maxPerUser: Int
    private let grace: Duration
    private let logger: Logger
    private let gauge = Meter(label: "switchboard_ws_connections")

    init(maxPerUser: Int, grace: Duration, logger: Logger) {
        self.maxPerUser = maxPerUser
        self.grace = grace
        self.logger = logger
    }

    var isDraining: Bool { state.withLock { $0.isDraining } }

    /// Admits a new connection on `eventLoop`, or says why not: draining (1001) or too many
    /// for the user (4029).
    func admit(_ authentication: Authentication, hub: HubContext, eventLoop: any EventLoop) -> Result<Connection, CloseReason> {
        let subject = authentication.principal.subject
        let admitted: Result<Connection, CloseReason> = state.withLock { state in
            if state.isDraining { return .failure(CloseReason(code: 1001, reason: "server shutting down")) }
            if state.perUser[subject, default: 0] >= maxPerUser {
                return .failure(CloseReason(code: 4029, reason: "too many connections for this user"))
            }
            let connection = Connection(id: state.nextID, authentication: authentication, hub: hub, eventLoop: eventLoop)
            state.nextID += 1
            state.connections[connection.id] = connection
            state.perUser[subject, default: 0] += 1
            return .success(connection)
        }
        if case .success = admitted { gauge.increment() }
        return admitted
    }

    /// Forgets a connection that has ended.
    func remove(_ connection: Connection) {
        let subject = connection.principal.subject
        state.withLock { state in
            guard state.connections.removeValue(forKey: connection.id) != nil else { return }
            state.perUser[subject, default: 1] -= 1
            if state.perUser[subject] == 0 { state.perUser[subject] = nil }
        }
        gauge.decrement()
    }

    func run() async throws {
        try? await gracefulShutdown()
        await drain()
    }

    /// Tells every client to reconnect elsewhere and waits for them to go.
    func drain() async {
        let connections = state.withLock { state in
            state.isDraining = true
            return Array(state.connections.values)
        }
        logger.info("draining connections", metadata: ["sb.count": "\(connections.count)"])
        for connection in connections {
            connection.disconnect(code: 1001, reason: "server shutting down", reconnect: true)
        }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, !state.withLock({ $0.connections.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
