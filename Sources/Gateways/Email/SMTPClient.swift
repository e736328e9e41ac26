import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// An ``EmailProvider`` that speaks SMTP to one server over a bounded pool of reused
/// connections (SwiftNIO, TLS by NIOSSL).
///
/// Each `send` leases a connection (RSET first when it was used before), runs one mail
/// transaction and returns the connection to the pool. A reused connection the server
/// has dropped is discarded and the send goes on with another, so a stale pool never
/// fails a message. Any connection that failed mid-transaction is closed, never reused.
/// Call ``shutdown()`` when done: it closes the idle connections.
public final class SMTPClient: EmailProvider {
    /// The settings this client was made with.
    public let settings: SMTPSettings
    private let tls: NIOSSLContext
    private let group: any EventLoopGroup
    private let pool: SMTPConnectionPool
    private let logger: Logger

    /// Creates a client; nothing connects until the first `send`. Throws
    /// `email_invalid_settings` for bad settings or an unreadable trust-roots file.
    public init(
        settings: SMTPSettings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "switchboard.smtp")
    ) throws(EmailError) {
        try settings.validate()
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path = settings.trustRootsPath {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw .invalidSettings("cannot read the trust roots from \(path)")
            }
        }
        do {
            self.tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .invalidSettings("cannot set up TLS")
        }
        self.settings = settings
        self.group = eventLoopGroup
        self.pool = SMTPConnectionPool(limit: settings.maxConnections, idleTimeout: settings.idleTimeout)
        var logger = logger
        logger[metadataKey: "sb.smtp"] = "\(settings)"
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws(EmailError) -> EmailReceipt {
        // Each stale reused connection is discarded, so this ends after at most
        // `maxConnections` reused ones and one new one.
        for _ in 0...settings.maxConnections {
            let (connection, reused) = try await pool.lease { [settings, tls, group] () async throws(EmailError) in
                try await SMTPConnection.open(settings: settings, tls: tls, group: group)
            }
            if reused {
                do {
                    try await connection.reset()
                } catch {
                    logger.debug("dropping a stale SMTP connection", metadata: ["sb.error": "\(error)"])
                    await pool.release(connection, reusable: false)
                    continue
                }
            }
            do {
                let results = try await connection.deliver(message)
                await pool.release(connection, reusable: true)
                return EmailReceipt(messageID: message.messageID, recipients: results)
            } catch {
                // A refusal leaves the session in a known state; anything else does not.
                await pool.release(connection, reusable: error.leavesSessionUsable)
                throw error
            }
        }
        throw .connectionFailed("every pooled SMTP connection was stale")
    }

    /// Closes idle connections and refuses further sends.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// Connections open or being opened, for tests.
    var openConnections: Int {
        get async { await pool.openCount }
    }
}
