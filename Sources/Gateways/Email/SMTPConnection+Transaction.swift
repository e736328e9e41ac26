import NIOCore

extension SMTPConnection {
    /// Runs one mail transaction: MAIL FROM, RCPT TO for each recipient, DATA and the
    /// message. With PIPELINING, MAIL, every RCPT and DATA go out in one write.
    ///
    /// Returns per-recipient results when at least one recipient took the message; throws
    /// when none did (the error of the first transient refusal if any, so that the caller
    /// retries, else the first refusal), when MAIL or the message itself is refused, or
    /// before sending anything when the message is over the server's SIZE. The
    /// connection stays usable after a refusal (the caller sends RSET before reusing it).
    func deliver(_ message: MailMessage) async throws(EmailError) -> [EmailRecipientResult] {
        let content = try MIMEBuilder(allowEightBit: capabilities.eightBitMIME).build(message)
        if let limit = capabilities.maxSize, content.count > limit { throw .messageTooLarge(size: content.count, limit: limit) }
        var mail = "MAIL FROM:<\(message.from.address)>"
        if capabilities.maxSize != nil { mail += " SIZE=\(content.count)" }
        if content.contains(where: { $0 >= 128 }) { mail += " BODY=8BITMIME" }
        let recipients = message.envelopeRecipients
        let commands = [mail] + recipients.map { "RCPT TO:<\($0)>" } + ["DATA"]

        let replies: [SMTPReply]
        if capabilities.pipelining {
            replies = try await wire.send(commands.map { ByteBuffer(string: $0 + "\r\n") })
        } else {
            replies = try await stepByStep(commands)
        }
        let mailReply = replies[0]
        let results = zip(recipients, replies.dropFirst()).map { address, reply in
            EmailRecipientResult(address: address, error: reply.isSuccess ? nil : reply.error)
        }
        let dataReply = replies.count == commands.count ? replies[replies.count - 1] : nil
        let accepted = mailReply.isSuccess && results.contains { $0.error == nil }
        guard accepted, let dataReply, dataReply.code == 354 else {
            // A server that said 354 anyway waits for a message: end it empty (RFC 2920 §3.1).
            if dataReply?.code == 354 { _ = try await wire.command(".") }
            if !mailReply.isSuccess { throw mailReply.error }
            if !accepted { throw Self.noRecipient(results) }
            throw dataReply?.error ?? .protocolError("the server did not answer DATA")
        }
        let final = try await wire.send([SMTPData.stuffed(content)])[0]
        guard final.isSuccess else { throw final.error }
        return results
    }

    /// Without PIPELINING: each command waits for its reply; stops after a refused MAIL,
    /// and sends no DATA when every recipient was refused.
    private func stepByStep(_ commands: [String]) async throws(EmailError) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        for (index, command) in commands.enumerated() {
            let isData = index == commands.count - 1
            if isData, !replies.dropFirst().contains(where: \.isSuccess) { break }
            let reply = try await wire.command(command)
            replies.append(reply)
            if index == 0, !reply.isSuccess { break }
        }
        return replies
    }

    /// The error for a transaction where every recipient was refused.
    private static func noRecipient(_ results: [EmailRecipientResult]) -> EmailError {
        let errors = results.compactMap(\.error)
        return errors.first(where: \.isTransient) ?? errors.first ?? .protocolError("the server accepted no recipient")
    }

    /// RSET: clears any earlier transaction before the connection is reused.
    func reset() async throws(EmailError) {
        let reply = try await wire.command("RSET")
        guard reply.isSuccess else { throw reply.error }
    }
}
