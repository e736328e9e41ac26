import Foundation
import Testing
@testable import Gateways

/// The SMTP client against a real server (aiosmtpd, `Python/smtp_server.py`).
@Suite("SMTPClient delivery")
struct SMTPClientTests {
    @Test func messageArrivesWithMultipartMIMEHeadersAndBodies() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var message = Mail.message(
            to: ["ann@example.test", "bob@example.test"], subject: "Grüße, Ann — your ticket #42 was answered",
            text: "Hello Ann,\nyour ticket was answered: “Größe passt”.\n", html: "<p>Hello Ann,</p><p>“Größe passt”</p>")
        message.listUnsubscribe = ["https://switchboard.test/unsubscribe/ann", "mailto:unsubscribe@switchboard.test"]
        let receipt = try await server.withClient(try server.settings()) { try await $0.send(message) }
        #expect(receipt.accepted == ["ann@example.test", "bob@example.test"])
        #expect(receipt.messageID == message.messageID)

        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.mail_from == "hub@switchboard.test")
        #expect(received.rcpt_tos == ["ann@example.test", "bob@example.test"])
        let parsed = try #require(received.parsed)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.content_type == "multipart/alternative")
        #expect(parsed.headers["Subject"] == message.subject)
        #expect(parsed.headers["From"] == "Switchboard <hub@switchboard.test>")
        #expect(parsed.headers["To"] == "ann@example.test, bob@example.test")
        #expect(parsed.headers["Message-ID"] == "<\(message.messageID)>")
        #expect(parsed.headers["MIME-Version"] == "1.0")
        #expect(parsed.headers["Date"]?.hasSuffix("+0000") == true)
        #expect(parsed.headers["List-Unsubscribe"] == "<https://switchboard.test/unsubscribe/ann>, <mailto:unsubscribe@switchboard.test>")
        #expect(parsed.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(parsed.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" })
        #expect(parsed.parts[0].content.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == "Hello Ann,\nyour ticket was answered: “Größe passt”.")
        #expect(parsed.parts[1].content.trimmingCharacters(in: .newlines) == message.html)
        // aiosmtpd advertises 8BITMIME, so the UTF-8 bodies went as 8bit with BODY=8BITMIME.
        #expect(parsed.parts.allSatisfy { $0.transfer_encoding == "8bit" })
        #expect(received.mail_options?.contains("BODY=8BITMIME") == true)
        #expect(received.rawText.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func withoutEightBitMIMEBodiesAreQuotedPrintable() async throws {
        let server = try await SMTPTestServer.start(["--no-8bitmime"])
        defer { server.stop() }
        let message = Mail.message(text: "Grüße " + String(repeating: "lange Zeile ", count: 12))
        _ = try await server.withClient(try server.settings()) { try await $0.send(message) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.parsed?.parts.first?.transfer_encoding == "quoted-printable")
        #expect(received.parsed?.parts.first?.content.trimmingCharacters(in: .newlines) == message.text)
        #expect(received.mail_options?.contains("BODY=8BITMIME") == false)
        #expect(received.rawText.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }

    @Test func linesStartingWithADotArriveIntact() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let message = Mail.message(text: ".hidden\n..two dots\n.\nend")
        _ = try await server.withClient(try server.settings()) { try await $0.send(message) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.rawText.hasSuffix("\r\n\r\n.hidden\r\n..two dots\r\n.\r\nend\r\n"))
    }

    @Test func startTLSThenAuthPlain() async throws {
        let server = try await SMTPTestServer.start(["--auth", "hub:s3cret", "--auth-mechanisms", "PLAIN"], tls: true)
        defer { server.stop() }
        let settings = try server.settings(credentials: "hub:s3cret", query: "?starttls=require")
        _ = try await server.withClient(settings) { try await $0.send(Mail.message()) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.tls == true)
        #expect(received.auth == "hub")
    }

    @Test func startTLSThenAuthLogin() async throws {
        let server = try await SMTPTestServer.start(["--auth", "hub:s3cret", "--auth-mechanisms", "LOGIN"], tls: true)
        defer { server.stop() }
        _ = try await server.withClient(try server.settings(credentials: "hub:s3cret")) { try await $0.send(Mail.message()) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.tls == true)
        #expect(received.auth == "hub")
    }

    @Test func wrongPasswordIsAPermanentAuthenticationFailure() async throws {
        let server = try await SMTPTestServer.start(["--auth", "hub:s3cret"], tls: true)
        defer { server.stop() }
        let error = try await server.withClient(try server.settings(credentials: "hub:wrong")) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.code == "email_authentication_failed")
        #expect(error?.isTransient == false)
    }

    @Test func implicitTLS() async throws {
        let server = try await SMTPTestServer.start(["--implicit-tls", "--auth", "hub:s3cret"], tls: true)
        defer { server.stop() }
        _ = try await server.withClient(try server.settings(scheme: "smtps", credentials: "hub:s3cret")) { try await $0.send(Mail.message()) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.tls == true)
        #expect(received.auth == "hub")
    }

    @Test func untrustedCertificateFailsTLSPermanently() async throws {
        let server = try await SMTPTestServer.start(["--implicit-tls"], tls: true)
        defer { server.stop() }
        var settings = try server.settings(scheme: "smtps")
        settings.trustRootsPath = nil
        let error = try await server.withClient(settings) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.code == "email_tls_failed")
        #expect(error?.isTransient == false)
    }

    @Test func pipeliningIsUsedOnlyWhenOffered() async throws {
        for offered in [true, false] {
            let server = try await SMTPTestServer.start(offered ? ["--pipelining"] : [])
            defer { server.stop() }
            _ = try await server.withClient(try server.settings()) { try await $0.send(Mail.message(to: ["ann@example.test", "bob@example.test"])) }
            #expect(try await server.waitForMessages(1).first?.pipelined == offered)
        }
    }

    @Test func serverWithoutEHLOGetsHELO() async throws {
        let server = try await SMTPTestServer.start(["--no-ehlo"])
        defer { server.stop() }
        _ = try await server.withClient(try server.settings()) { try await $0.send(Mail.message(text: "Grüße")) }
        let received = try #require(try await server.waitForMessages(1).first)
        #expect(received.parsed?.parts.first?.transfer_encoding == "quoted-printable")
    }
}
