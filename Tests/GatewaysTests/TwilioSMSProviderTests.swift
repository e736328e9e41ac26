import Foundation
import Testing
@testable import Gateways

/// The Twilio-style SMS provider against a local fake (`Python/messaging_api.py`).
@Suite("TwilioSMSProvider")
struct TwilioSMSProviderTests {
    private static let accountSID = "AC0123456789abcdef"
    private static let message = SMSMessage(to: "+4915112345678", text: "Your ticket #42 was answered")

    private func settings(_ baseURL: String, timeout: Duration = .seconds(5)) throws -> TwilioSMSSettings {
        try TwilioSMSSettings(baseURL: baseURL, accountSID: Self.accountSID, authToken: "s3cr3t-token", from: "Switchboard", timeout: timeout)
    }

    /// Runs `body` with a provider for a fresh API started with `options`.
    private func withAPI<T>(
        _ options: [String] = [], timeout: Duration = .seconds(5), _ body: (TwilioSMSProvider, MessagingTestAPI) async throws -> T
    ) async throws -> T {
        let api = try await MessagingTestAPI.start(options)
        defer { api.stop() }
        return try await body(TwilioSMSProvider(settings: settings(api.baseURL, timeout: timeout)), api)
    }

    @Test func acceptedMessageIsPostedAsFormWithBasicAuthAndReturnsTheSid() async throws {
        let text = "Grüße & 1+1=2 🚀\nbis bald"
        try await withAPI { provider, api in
            let sid = try await provider.send(SMSMessage(to: "+4915112345678", text: text))
            #expect(sid == "SM00000000000000000000000000000001")
            let request = try #require(try api.requests().first)
            #expect(request.path == "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json")
            #expect(request.authorization == "Basic QUMwMTIzNDU2Nzg5YWJjZGVmOnMzY3IzdC10b2tlbg==")
            #expect(request.content_type == "application/x-www-form-urlencoded")
            #expect(request.body == "To=%2B4915112345678&From=Switchboard&Body=Gr%C3%BC%C3%9Fe+%26+1%2B1%3D2+%F0%9F%9A%80%0Abis+bald")
            #expect(request.form == ["To": ["+4915112345678"], "From": ["Switchboard"], "Body": [text]])
        }
    }

    @Test func textOf1600CharactersIsSent() async throws {
        try await withAPI { provider, api in
            _ = try await provider.send(SMSMessage(to: "+4915112345678", text: String(repeating: "é", count: 1600)))
            #expect(try api.requests().first?.form?["Body"] == [String(repeating: "é", count: 1600)])
        }
    }

    @Test func serviceUnavailableIsDeferredAndTheNextSendSucceeds() async throws {
        try await withAPI(["--fail-first", "1", "--status", "503"]) { provider, api in
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == "messaging_deferred")
            #expect(error?.isTransient == true)
            #expect(error?.status == 503)
            let sid = try await provider.send(Self.message)
            #expect(sid == "SM00000000000000000000000000000002")
            #expect(try api.requests().count == 2)
        }
    }

    @Test func invalidNumberAnswerIsInvalidRecipient() async throws {
        try await withAPI(["--invalid-number", "+15005550001"]) { provider, _ in
            let error = await failure(sending: SMSMessage(to: "+15005550001", text: "Hi"), via: provider)
            #expect(error?.code == "messaging_invalid_recipient")
            #expect(error?.isTransient == false)
            #expect(error?.status == 400)
            #expect(error?.message.contains("Twilio error 21211") == true)
        }
    }

    @Test(arguments: [
        (429, nil, "messaging_deferred", true), (500, nil, "messaging_deferred", true),
        (400, "21614", "messaging_invalid_recipient", false), (400, "21602", "messaging_rejected", false),
        (401, "20003", "messaging_rejected", false),
    ] as [(Int, String?, String, Bool)])
    func answersMapToTheirCodes(status: Int, twilioCode: String?, code: String, transient: Bool) async throws {
        try await withAPI(["--status", String(status)] + (twilioCode.map { ["--error-code", $0] } ?? [])) { provider, _ in
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == code)
            #expect(error?.isTransient == transient)
            #expect(error?.status == status)
        }
    }

    @Test func silentAPITimesOut() async throws {
        try await withAPI(["--silent"], timeout: .milliseconds(300)) { provider, _ in
            let started = ContinuousClock.now
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == "messaging_timeout")
            #expect(error?.isTransient == true)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func answerBodyThatNeverArrivesEndsAtTheTimeout() async throws {
        try await withAPI(["--stall-body"], timeout: .milliseconds(500)) { provider, _ in
            let started = ContinuousClock.now
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == "messaging_rejected")
            #expect(error?.status == 201)
            #expect(error?.isTransient == false)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func closedPortFailsToConnect() async throws {
        let provider = TwilioSMSProvider(settings: try settings(try await MessagingTestAPI.closedBaseURL(), timeout: .seconds(2)))
        let error = await failure(sending: Self.message, via: provider)
        #expect(error?.code == "messaging_connection_failed")
        #expect(error?.isTransient == true)
    }

    @Test func cancellingTheSendingTaskThrowsCancelled() async throws {
        try await withAPI(["--silent"], timeout: .seconds(30)) { provider, api in
            let sending = Task { await failure(sending: Self.message, via: provider) }
            let arrived = try await eventually { try api.requests().count == 1 }
            #expect(arrived)
            sending.cancel()
            #expect(await sending.value == .cancelled)
        }
    }

    @Test(arguments: [
        ("ftp://127.0.0.1", "AC0123456789abcdef", "token", "Switchboard"), ("http://127.0.0.1/?a=1", "AC0123456789abcdef", "token", "Switchboard"),
        ("127.0.0.1:8080", "AC0123456789abcdef", "token", "Switchboard"), ("http://127.0.0.1", "", "token", "Switchboard"),
        ("http://127.0.0.1", "AC/../x", "token", "Switchboard"), ("http://127.0.0.1", "AC0123456789abcdef", "", "Switchboard"),
        ("http://127.0.0.1", "AC0123456789abcdef", "tok\nen", "Switchboard"), ("http://127.0.0.1", "AC0123456789abcdef", "token", "0049151123456"),
        ("http://127.0.0.1", "AC0123456789abcdef", "token", "TwelveLetter"), ("http://127.0.0.1", "AC0123456789abcdef", "token", "Über"),
    ])
    func unusableSettingsAreRefused(baseURL: String, accountSID: String, authToken: String, from: String) {
        let error = #expect(throws: MessagingError.self) {
            try TwilioSMSSettings(baseURL: baseURL, accountSID: accountSID, authToken: authToken, from: from)
        }
        #expect(error?.code == "messaging_invalid_settings")
    }

    @Test func zeroTimeoutIsRefused() {
        #expect(throws: MessagingError.invalidSettings("the SMS API timeout must be longer than zero")) {
            try TwilioSMSSettings(baseURL: "http://127.0.0.1", accountSID: Self.accountSID, authToken: "t", from: "Switchboard", timeout: .zero)
        }
    }

    @Test func e164AndAlphanumericSendersAreAccepted() throws {
        for from in ["+4915112345678", "Switchboard", "SB 24"] {
            let settings = try TwilioSMSSettings(baseURL: "https://api.twilio.test/", accountSID: Self.accountSID, authToken: "t", from: from)
            #expect(settings.messagesURL == "https://api.twilio.test/2010-04-01/Accounts/AC0123456789abcdef/Messages.json")
        }
    }

    @Test(arguments: [
        ("4915112345678", "Hi", "messaging_invalid_recipient"), ("+04915112345", "Hi", "messaging_invalid_recipient"),
        ("+1234567", "Hi", "messaging_invalid_recipient"), ("+1234567890123456", "Hi", "messaging_invalid_recipient"),
        ("+49 151 12345678", "Hi", "messaging_invalid_recipient"), ("+4915112345678", "", "messaging_invalid_message"),
        ("+4915112345678", " \n\t", "messaging_invalid_message"),
        ("+4915112345678", String(repeating: "a", count: 1601), "messaging_invalid_message"),
    ])
    func badMessagesAreRefusedBeforeAnyRequest(to: String, text: String, code: String) async throws {
        try await withAPI { provider, api in
            let error = await failure(sending: SMSMessage(to: to, text: text), via: provider)
            #expect(error?.code == code)
            #expect(error?.status == nil)
            let requests = try api.requests()
            #expect(requests.isEmpty)
        }
    }
}
