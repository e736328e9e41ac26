import Foundation
import Testing
@testable import Gateways

/// The SendGrid-style provider against a local fake (`Python/email_api.py`).
@Suite("HTTPEmailProvider")
struct HTTPEmailProviderTests {
    private struct Recorded: Decodable {
        var path: String
        var authorization: String?
        var content_type: String?
        var body: String
    }

    private func withAPI<T>(status: Int, _ body: (HTTPEmailProvider, () throws -> [Recorded]) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        let record = directory.file("requests.jsonl")
        let api = try await PythonChild.start("email_api.py", ["--record", record, "--status", String(status)])
        defer {
            api.stop()
            directory.remove()
        }
        var settings = try HTTPEmailSettings(baseURL: "http://127.0.0.1:\(api.port)/", apiKey: "SG.test-key")
        settings.timeout = .seconds(5)
        return try await body(HTTPEmailProvider(settings: settings)) {
            let data = FileManager.default.contents(atPath: record) ?? Data()
            return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Recorded.self, from: Data($0)) }
        }
    }

    @Test func acceptedRequestIsSentWithTheAPIsShape() async throws {
        var message = Mail.message(to: ["ann@example.test", "bob@example.test"], subject: "Grüße", text: "Hi", html: "<p>Hi</p>")
        message.listUnsubscribe = ["https://switchboard.test/u/ann"]
        try await withAPI(status: 202) { provider, requests in
            let receipt = try await provider.send(message)
            #expect(receipt.accepted == ["ann@example.test", "bob@example.test"])
            let request = try #require(try requests().first)
            #expect(request.path == "/v3/mail/send")
            #expect(request.authorization == "Bearer SG.test-key")
            #expect(request.content_type == "application/json")
            #expect(request.body == """
                {"content":[{"type":"text/plain","value":"Hi"},{"type":"text/html","value":"<p>Hi</p>"}],\
                "from":{"email":"hub@switchboard.test","name":"Switchboard"},\
                "headers":{"List-Unsubscribe":"<https://switchboard.test/u/ann>","List-Unsubscribe-Post":"List-Unsubscribe=One-Click",\
                "Message-ID":"<\(message.messageID)>"},\
                "personalizations":[{"to":[{"email":"ann@example.test"},{"email":"bob@example.test"}]}],"subject":"Grüße"}
                """)
        }
    }

    @Test(arguments: [
        (429, "email_deferred", true, false), (503, "email_deferred", true, false), (400, "email_rejected", false, false),
        (401, "email_rejected", false, true),
    ])
    func answersMapToTransientOrPermanent(status: Int, code: String, transient: Bool, providerFault: Bool) async throws {
        try await withAPI(status: status) { provider, _ in
            let error = await failure(sending: Mail.message(), via: provider)
            #expect(error?.code == code)
            #expect(error?.isTransient == transient)
            #expect(error?.isProviderFault == providerFault, "refused credentials are the provider's fault")
            #expect(error?.status == status)
        }
    }

    @Test func headerInjectionIsRefusedBeforeAnyRequest() async throws {
        try await withAPI(status: 202) { provider, requests in
            let error = await failure(sending: Mail.message(subject: "Hi\nBcc: eve@example.test"), via: provider)
            let sent = try requests()
            #expect(error?.code == "email_invalid_message")
            #expect(sent.isEmpty)
        }
    }
}
