import Foundation
import Testing
@testable import Gateways

/// Refusals, limits and broken servers: what is transient and what is permanent.
@Suite("SMTPClient failures")
struct SMTPClientFailureTests {
    @Test(arguments: [true, false])
    func refusedRecipientsAreReportedWhileTheOthersGetTheMail(pipelining: Bool) async throws {
        let server = try await SMTPTestServer.start(
            ["--rcpt-reply", "busy@example.test=450", "--rcpt-reply", "gone@example.test=550"] + (pipelining ? ["--pipelining"] : []))
        defer { server.stop() }
        let message = Mail.message(to: ["busy@example.test", "ann@example.test", "gone@example.test"])
        let receipt = try await server.withClient(try server.settings()) { try await $0.send(message) }
        #expect(receipt.accepted == ["ann@example.test"])
        let refused = Dictionary(uniqueKeysWithValues: receipt.refused.map { ($0.address, $0.error) })
        #expect(refused["busy@example.test"]?.isTransient == true)
        #expect(refused["busy@example.test"]?.status == 450)
        #expect(refused["gone@example.test"]?.isTransient == false)
        #expect(refused["gone@example.test"]?.status == 550)
        #expect(try await server.waitForMessages(1).first?.rcpt_tos == ["ann@example.test"])
    }

    @Test func everyRecipientRefusedThrowsTransientWhenAnyRefusalWas() async throws {
        let server = try await SMTPTestServer.start(["--pipelining", "--rcpt-reply", "busy@example.test=451", "--rcpt-reply", "gone@example.test=550"])
        defer { server.stop() }
        try await server.withClient(try server.settings()) { client in
            let gone = await failure(sending: Mail.message(to: ["gone@example.test"]), via: client)
            #expect(gone?.code == "email_rejected")
            #expect(gone?.isTransient == false)
            let mixed = await failure(sending: Mail.message(to: ["gone@example.test", "busy@example.test"]), via: client)
            #expect(mixed?.code == "email_deferred")
            #expect(mixed?.status == 451)
            // The connection is still good for the next message.
            let receipt = try await client.send(Mail.message())
            #expect(receipt.accepted == ["ann@example.test"])
        }
        #expect(try server.events().filter { $0.event == "connect" }.count == 1)
    }

    @Test(arguments: [("451", true), ("554", false)])
    func refusedDataIsTransientFor4xxAndPermanentFor5xx(code: String, transient: Bool) async throws {
        let server = try await SMTPTestServer.start(["--data-reply", code])
        defer { server.stop() }
        let error = try await server.withClient(try server.settings()) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.isTransient == transient)
        #expect(error?.status == Int(code))
    }

    @Test func messageOverTheAdvertisedSizeIsRefusedBeforeSending() async throws {
        let server = try await SMTPTestServer.start(["--size", "1000"])
        defer { server.stop() }
        let error = try await server.withClient(try server.settings()) { await failure(sending: Mail.message(text: String(repeating: "x", count: 2000)), via: $0) }
        #expect(error?.code == "email_message_too_large")
        #expect(error?.isTransient == false)
        #expect(try server.messages().isEmpty)
    }

    @Test func requiredStartTLSFailsWhenTheServerDoesNotOfferIt() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let error = try await server.withClient(try server.settings(query: "?starttls=require")) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.code == "email_tls_unavailable")
        #expect(try server.messages().isEmpty)
    }

    @Test func credentialsAreNotSentWithoutTLSUnlessAllowedOnLoopback() async throws {
        let server = try await SMTPTestServer.start(["--auth", "hub:s3cret", "--auth-plaintext"])
        defer { server.stop() }
        var settings = try server.settings(credentials: "hub:s3cret")
        let error = try await server.withClient(settings) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.code == "email_tls_unavailable")
        settings.allowPlaintextAuthOnLoopback = true
        _ = try await server.withClient(settings) { try await $0.send(Mail.message()) }
        #expect(try await server.waitForMessages(1).first?.auth == "hub")
    }

    @Test func silentServerTimesOutTransiently() async throws {
        let server = try await SMTPTestServer.start(["--silent"])
        defer { server.stop() }
        var settings = try server.settings()
        settings.commandTimeout = .milliseconds(300)
        let error = try await server.withClient(settings) { await failure(sending: Mail.message(), via: $0) }
        #expect(error?.code == "email_timeout")
        #expect(error?.isTransient == true)
    }

    @Test func unreachableServerIsATransientConnectionFailure() async throws {
        let server = try await SMTPTestServer.start()
        let settings = try server.settings()
        await server.child.stopAndWait()
        server.stop()
        let client = try SMTPClient(settings: settings)
        let error = await failure(sending: Mail.message(), via: client)
        await client.shutdown()
        #expect(error?.code == "email_connection_failed")
        #expect(error?.isTransient == true)
    }
}
