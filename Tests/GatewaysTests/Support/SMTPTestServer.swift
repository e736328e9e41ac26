import Foundation
@testable import Gateways

/// `smtp_server.py` (aiosmtpd) in a temporary directory, with what it recorded.
struct SMTPTestServer: Sendable {
    /// One recorded event: a connection opened or closed, or a message accepted.
    struct Event: Decodable, Sendable {
        var event: String
        var connection: Int
        var mail_from: String?
        var mail_options: [String]?
        var rcpt_tos: [String]?
        var pipelined: Bool?
        var tls: Bool?
        var auth: String?
        var raw: String?
        var parsed: Parsed?

        /// The raw message as received, after the server undid dot-stuffing.
        var rawText: String { String(decoding: Data(base64Encoded: raw ?? "") ?? Data(), as: UTF8.self) }
    }

    /// A message as Python's `email` package parsed it.
    struct Parsed: Decodable, Sendable {
        struct Part: Decodable, Sendable {
            var content_type: String
            var charset: String?
            var transfer_encoding: String?
            var content: String
        }

        var content_type: String
        var headers: [String: String]
        var defects: [String]
        var parts: [Part]
    }

    let child: PythonChild
    let directory: TemporaryDirectory
    /// The trust roots file for TLS servers.
    let certificate: String?

    /// Starts a server with the script's `options`; `tls` makes a test certificate and
    /// passes it as `--tls`.
    static func start(_ options: [String] = [], tls: Bool = false) async throws -> SMTPTestServer {
        let directory = try TemporaryDirectory()
        var arguments = ["--record", directory.file("record.jsonl")] + options
        var certificate: String?
        if tls {
            let made = try await directory.makeTestCertificate()
            arguments += ["--tls", made.certificate, made.key]
            certificate = made.certificate
        }
        let child = try await PythonChild.start("smtp_server.py", arguments)
        return SMTPTestServer(child: child, directory: directory, certificate: certificate)
    }

    /// Settings for `scheme://[credentials@]127.0.0.1:port[query]`, trusting the test
    /// certificate and with short timeouts.
    func settings(scheme: String = "smtp", credentials: String? = nil, query: String = "") throws -> SMTPSettings {
        var settings = try SMTPSettings(url: "\(scheme)://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(child.port)\(query)")
        settings.trustRootsPath = certificate
        settings.connectTimeout = .seconds(5)
        settings.commandTimeout = .seconds(5)
        return settings
    }

    /// Every event so far.
    func events() throws -> [Event] {
        guard let data = FileManager.default.contents(atPath: directory.file("record.jsonl")) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Event.self, from: Data($0)) }
    }

    /// The accepted messages so far.
    func messages() throws -> [Event] { try events().filter { $0.event == "message" } }

    /// Waits until `count` messages were accepted, then returns them.
    func waitForMessages(_ count: Int) async throws -> [Event] {
        guard try await eventually({ try messages().count >= count }) else {
            throw TestFailure("expected \(count) messages, got \(try messages().count)")
        }
        return try messages()
    }

    /// Runs `body` with a client for `settings`, shutting the client down afterwards.
    func withClient<T>(_ settings: SMTPSettings, _ body: (SMTPClient) async throws -> T) async throws -> T {
        let client = try SMTPClient(settings: settings)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Stops the server and removes its directory.
    func stop() {
        child.stop()
        directory.remove()
    }
}

/// The error `provider` throws for `message`, or nil when it was sent.
func failure(sending message: MailMessage, via provider: some EmailProvider) async -> EmailError? {
    do {
        _ = try await provider.send(message)
        return nil
    } catch {
        return error
    }
}

/// Test addresses and messages.
enum Mail {
    static func address(_ text: String, name: String? = nil) -> MailAddress { try! MailAddress(text, name: name) }

    static func message(to: [String] = ["ann@example.test"], subject: String = "Hello", text: String = "Hi Ann", html: String? = nil) -> MailMessage {
        MailMessage(from: address("hub@switchboard.test", name: "Switchboard"), to: to.map { address($0) }, subject: subject, text: text, html: html)
    }
}
