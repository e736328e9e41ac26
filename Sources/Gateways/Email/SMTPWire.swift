import NIOCore

/// Writes requests to an SMTP channel and awaits their replies, from Swift concurrency.
///
/// Guarantees: every call returns or throws; cancelling the calling task closes the
/// channel (the only way to abandon a reply safely) and throws `email_cancelled`.
struct SMTPWire: Sendable {
    let channel: any Channel
    /// Why the connection failed, once it has.
    let failure: SMTPConnectionFailure

    /// Sends one command line (CRLF is added) and returns its reply.
    func command(_ line: String) async throws(EmailError) -> SMTPReply {
        try await send([ByteBuffer(string: line + "\r\n")])[0]
    }

    /// Claims the next reply without sending anything (the greeting).
    func nextReply() async throws(EmailError) -> SMTPReply {
        try await send([nil])[0]
    }

    /// Writes all requests with one flush, then returns their replies in order: the
    /// client's half of PIPELINING. Each entry is a request's bytes, or nil to claim a
    /// reply without sending.
    func send(_ requests: [ByteBuffer?]) async throws(EmailError) -> [SMTPReply] {
        guard !Task.isCancelled else { throw .cancelled }
        let channel = self.channel
        let replies = requests.map { bytes in
            let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
            let written = channel.eventLoop.makePromise(of: Void.self)
            // A write that never reaches the handler (the channel is gone) must still
            // complete the reply; a promise completed twice keeps its first result.
            written.futureResult.whenFailure { reply.fail($0) }
            channel.write(SMTPRequest(bytes: bytes, reply: reply), promise: written)
            return reply.futureResult
        }
        channel.flush()
        do {
            return try await withTaskCancellationHandler {
                var answers: [SMTPReply] = []
                for reply in replies { answers.append(try await reply.get()) }
                return answers
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            if Task.isCancelled { throw .cancelled }
            throw failure.recorded ?? SMTPClientHandler.classify(error)
        }
    }

    /// Says QUIT and closes once it is answered (or fails, or times out).
    func quit() {
        let channel = self.channel
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        reply.futureResult.whenComplete { _ in channel.close(promise: nil) }
        channel.writeAndFlush(SMTPRequest(bytes: ByteBuffer(string: "QUIT\r\n"), reply: reply)).whenFailure { reply.fail($0) }
    }
}
