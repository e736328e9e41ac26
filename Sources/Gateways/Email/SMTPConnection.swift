import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One SMTP session, ready for transactions: connected, greeted, EHLO'd, secured as the
/// settings ask, and authenticated when they carry credentials.
///
/// Concurrency: used by one task at a time (the pool leases it out); its only mutable
/// state, whether it is idle in the pool, sits behind a `Mutex`.
final class SMTPConnection: Sendable {
    /// Where replies come from and commands go.
    let wire: SMTPWire
    /// What the server offered in its last EHLO (after STARTTLS, the secured one).
    let capabilities: SMTPCapabilities
    private let idle = Mutex<IdleState>(.busy)

    private enum IdleState {
        case busy
        case idle(Scheduled<Void>)
        case retired
    }

    private init(wire: SMTPWire, capabilities: SMTPCapabilities) {
        self.wire = wire
        self.capabilities = capabilities
    }

    /// Opens a session. On any failure the channel is closed before the error is thrown.
    static func open(settings: SMTPSettings, tls: NIOSSLContext, group: any EventLoopGroup) async throws(EmailError) -> SMTPConnection {
        let wire = try await connect(settings: settings, tls: tls, group: group)
        do throws(EmailError) {
            let greeting = try await wire.nextReply()
            guard greeting.code == 220 else { throw greeting.error }
            var capabilities = try await hello(wire, settings: settings)
            var secure = settings.security == .implicitTLS
            if !secure, capabilities.startTLS {
                let reply = try await wire.command("STARTTLS")
                guard reply.code == 220 else { throw reply.error }
                try await startTLS(on: wire.channel, tls: tls, host: settings.host)
                capabilities = try await hello(wire, settings: settings)
                secure = true
            } else if !secure, settings.security == .requireStartTLS {
                throw EmailError.tlsUnavailable("the server does not offer STARTTLS and starttls=require is set")
            }
            if let username = settings.username, let password = settings.password {
                guard secure || settings.allowPlaintextAuthOnLoopback && settings.isLoopback else {
                    throw EmailError.tlsUnavailable("credentials are only sent over TLS, and the server offers none")
                }
                try await SMTPAuthentication.authenticate(wire, capabilities: capabilities, username: username, password: password)
            }
            return SMTPConnection(wire: wire, capabilities: capabilities)
        } catch {
            wire.channel.close(promise: nil)
            throw error
        }
    }

    private static func connect(settings: SMTPSettings, tls: NIOSSLContext, group: any EventLoopGroup) async throws(EmailError) -> SMTPWire {
        let implicitTLS = settings.security == .implicitTLS
        let host = settings.host
        let commandTimeout = TimeAmount(settings.commandTimeout)
        let failure = SMTPConnectionFailure()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(settings.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if implicitTLS { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName(host))) }
                    try pipeline.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try pipeline.addHandler(SMTPClientHandler(commandTimeout: commandTimeout, failure: failure))
                }
            }
        do {
            return SMTPWire(channel: try await bootstrap.connect(host: settings.host, port: settings.port).get(), failure: failure)
        } catch ChannelError.connectTimeout {
            throw .timeout("connecting to \(settings.host):\(settings.port) took longer than \(settings.connectTimeout)")
        } catch {
            throw .connectionFailed("cannot connect to \(settings.host):\(settings.port)")
        }
    }

    /// EHLO, or HELO when the server does not know EHLO (a 5xx answer).
    private static func hello(_ wire: SMTPWire, settings: SMTPSettings) async throws(EmailError) -> SMTPCapabilities {
        let reply = try await wire.command("EHLO " + settings.heloName)
        if reply.isSuccess { return SMTPCapabilities(ehlo: reply.lines) }
        guard reply.code >= 500 else { throw reply.error }
        let helo = try await wire.command("HELO " + settings.heloName)
        guard helo.isSuccess else { throw helo.error }
        return SMTPCapabilities()
    }

    /// Puts TLS in front of the pipeline after the server's 220 to STARTTLS.
    private static func startTLS(on channel: any Channel, tls: NIOSSLContext, host: String) async throws(EmailError) {
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: tls, serverHostname: serverName(host)), position: .first)
            }.get()
        } catch {
            throw SMTPClientHandler.classify(error)
        }
    }

    /// The name sent for SNI and checked against the certificate; nil for an IP address,
    /// whose certificate is checked against the address instead.
    private static func serverName(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// Whether the channel is still open.
    var isActive: Bool { wire.channel.isActive }

    /// Parks the connection in the pool: after `timeout` unused it says QUIT and closes.
    func park(closingAfter timeout: Duration) {
        let scheduled = wire.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [self] in
            let expired = idle.withLock { state in
                guard case .idle = state else { return false }
                state = .retired
                return true
            }
            if expired { wire.quit() }
        }
        idle.withLock { $0 = .idle(scheduled) }
    }

    /// Takes the connection out of the pool; false when its idle timer already retired it
    /// or the server closed it, and it must be discarded.
    func claim() -> Bool {
        let claimed = idle.withLock { state in
            guard case .idle(let timer) = state else { return false }
            timer.cancel()
            state = .busy
            return true
        }
        return claimed && isActive
    }

    /// Says QUIT and closes.
    func close() {
        idle.withLock { state in
            if case .idle(let timer) = state { timer.cancel() }
            state = .retired
        }
        wire.quit()
    }
}
