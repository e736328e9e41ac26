import Foundation

/// AUTH PLAIN (RFC 4616) or, when the server offers only that, AUTH LOGIN.
enum SMTPAuthentication {
    /// Authenticates or throws: a 4xx answer is `email_deferred`, a 5xx one (wrong
    /// credentials) `email_authentication_failed`.
    static func authenticate(_ wire: SMTPWire, capabilities: SMTPCapabilities, username: String, password: String) async throws(EmailError) {
        let final: SMTPReply
        if capabilities.authMechanisms.contains("PLAIN") {
            final = try await wire.command("AUTH PLAIN " + base64("\0\(username)\0\(password)"))
        } else if capabilities.authMechanisms.contains("LOGIN") {
            var reply = try await wire.command("AUTH LOGIN")
            for secret in [username, password] {
                guard reply.code == 334 else { throw failure(reply) }
                reply = try await wire.command(base64(secret))
            }
            final = reply
        } else {
            throw .authenticationFailed("the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
        guard final.code == 235 else { throw failure(final) }
    }

    private static func failure(_ reply: SMTPReply) -> EmailError {
        reply.code >= 500 ? .authenticationFailed("the server refused the credentials: \(reply.error.message)", status: reply.code) : reply.error
    }

    private static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
