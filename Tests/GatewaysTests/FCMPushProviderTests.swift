import Foundation
import Testing
@testable import Gateways

/// The FCM HTTP v1-style push provider against a local fake (`Python/messaging_api.py`).
@Suite("FCMPushProvider")
struct FCMPushProviderTests {
    private static let message = PushMessage(token: "device-token-1", title: "New reply", text: "Your ticket #42 was answered")

    private func settings(_ baseURL: String, timeout: Duration = .seconds(5)) throws -> FCMPushSettings {
        try FCMPushSettings(baseURL: baseURL, projectID: "switchboard-test", accessToken: "ya29.test-token", timeout: timeout)
    }

    /// Runs `body` with a provider for a fresh API started with `options`.
    private func withAPI<T>(
        _ options: [String] = [], timeout: Duration = .seconds(5), _ body: (FCMPushProvider, MessagingTestAPI) async throws -> T
    ) async throws -> T {
        let api = try await MessagingTestAPI.start(options)
        defer { api.stop() }
        return try await body(FCMPushProvider(settings: settings(api.baseURL, timeout: timeout)), api)
    }

    @Test func acceptedPushIsPostedAsJSONWithBearerTokenAndReturnsTheName() async throws {
        let message = PushMessage(
            token: "device-token-1", title: "Neue Antwort", text: "Grüße 🚀 \"bis bald\"\nSwitchboard",
            data: ["ticket": "42", "url": "https://switchboard.test/t/42"])
        try await withAPI { provider, api in
            let name = try await provider.send(message)
            #expect(name == "projects/switchboard-test/messages/1")
            let request = try #require(try api.requests().first)
            #expect(request.path == "/v1/projects/switchboard-test/messages:send")
            #expect(request.authorization == "Bearer ya29.test-token")
            #expect(request.content_type == "application/json; charset=UTF-8")
            #expect(request.body == """
                {"message":{"data":{"ticket":"42","url":"https://switchboard.test/t/42"},\
                "notification":{"body":"Grüße 🚀 \\"bis bald\\"\\nSwitchboard","title":"Neue Antwort"},"token":"device-token-1"}}
                """)
        }
    }

    @Test func pushWithoutDataLeavesDataOut() async throws {
        try await withAPI { provider, api in
            _ = try await provider.send(Self.message)
            #expect(try api.requests().first?.body == """
                {"message":{"notification":{"body":"Your ticket #42 was answered","title":"New reply"},"token":"device-token-1"}}
                """)
        }
    }

    @Test func unregisteredTokenIsInvalidRecipient() async throws {
        try await withAPI(["--unregistered", "gone-token"]) { provider, _ in
            let error = await failure(sending: PushMessage(token: "gone-token", title: "Hi", text: "Hi"), via: provider)
            #expect(error?.code == "messaging_invalid_recipient")
            #expect(error?.isTransient == false)
            #expect(error?.status == 404)
            #expect(error?.message.contains("UNREGISTERED") == true)
        }
    }

    @Test func serviceUnavailableIsDeferredAndTheNextSendSucceeds() async throws {
        try await withAPI(["--fail-first", "1", "--status", "503"]) { provider, _ in
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == "messaging_deferred")
            #expect(error?.isTransient == true)
            #expect(error?.status == 503)
            let name = try await provider.send(Self.message)
            #expect(name == "projects/switchboard-test/messages/2")
        }
    }

    @Test(arguments: [
        (429, nil, "messaging_deferred", true), (500, nil, "messaging_deferred", true),
        (404, nil, "messaging_invalid_recipient", false), (400, "UNREGISTERED", "messaging_invalid_recipient", false),
        (400, "INVALID_ARGUMENT", "messaging_rejected", false), (403, "SENDER_ID_MISMATCH", "messaging_rejected", false),
    ] as [(Int, String?, String, Bool)])
    func answersMapToTheirCodes(status: Int, errorCode: String?, code: String, transient: Bool) async throws {
        try await withAPI(["--status", String(status)] + (errorCode.map { ["--error-code", $0] } ?? [])) { provider, _ in
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == code)
            #expect(error?.isTransient == transient)
            #expect(error?.status == status)
        }
    }

    @Test func silentAPITimesOut() async throws {
        try await withAPI(["--silent"], timeout: .milliseconds(300)) { provider, _ in
            let error = await failure(sending: Self.message, via: provider)
            #expect(error?.code == "messaging_timeout")
            #expect(error?.isTransient == true)
        }
    }

    @Test func closedPortFailsToConnect() async throws {
        let provider = FCMPushProvider(settings: try settings(try await MessagingTestAPI.closedBaseURL(), timeout: .seconds(2)))
        let error = await failure(sending: Self.message, via: provider)
        #expect(error?.code == "messaging_connection_failed")
        #expect(error?.isTransient == true)
    }

    @Test(arguments: [
        ("ftp://127.0.0.1", "switchboard-test", "token"), ("http://127.0.0.1#x", "switchboard-test", "token"),
        ("http://127.0.0.1", "", "token"), ("http://127.0.0.1", "a/b", "token"),
        ("http://127.0.0.1", "switchboard-test", ""), ("http://127.0.0.1", "switchboard-test", "to ken"),
    ])
    func unusableSettingsAreRefused(baseURL: String, projectID: String, accessToken: String) {
        let error = #expect(throws: MessagingError.self) {
            try FCMPushSettings(baseURL: baseURL, projectID: projectID, accessToken: accessToken)
        }
        #expect(error?.code == "messaging_invalid_settings")
    }

    @Test(arguments: [
        (PushMessage(token: "", title: "Hi", text: "Hi"), "messaging_invalid_recipient"),
        (PushMessage(token: String(repeating: "t", count: 4097), title: "Hi", text: "Hi"), "messaging_invalid_recipient"),
        (PushMessage(token: "t", title: String(repeating: "a", count: 201), text: "Hi"), "messaging_invalid_message"),
        (PushMessage(token: "t", title: "Hi", text: String(repeating: "a", count: 4001)), "messaging_invalid_message"),
        (PushMessage(token: "t", title: "Hi", text: "Hi", data: ["google.priority": "high"]), "messaging_invalid_message"),
        (PushMessage(token: "t", title: "Hi", text: "Hi", data: ["from": "x"]), "messaging_invalid_message"),
    ])
    func badMessagesAreRefusedBeforeAnyRequest(message: PushMessage, code: String) async throws {
        try await withAPI { provider, api in
            let error = await failure(sending: message, via: provider)
            #expect(error?.code == code)
            #expect(error?.status == nil)
            let requests = try api.requests()
            #expect(requests.isEmpty)
        }
    }
}
