import Foundation
@testable import Hub
import Testing

/// The reply assistant with a local fake of an OpenAI-compatible API (`Python/fake_assistant.py`).
@Suite("Reply assistant")
struct AssistantTests {
    /// The fake provider, stopped with SIGKILL when the test ends.
    final class FakeProvider: Sendable {
        let process: Process
        let port: Int

        init() async throws {
            (process, port, _) = try await startPythonServer("fake_assistant.py")
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        var url: String { "http://127.0.0.1:\(port)/v1" }

        func mode(_ mode: String) async throws {
            #expect(try await http(.POST, "http://127.0.0.1:\(port)/_mode", body: #"{"mode":"\#(mode)"}"#).status == 200)
        }

        func requests() async throws -> [JSONValue] {
            try await http(.GET, "http://127.0.0.1:\(port)/_requests").json?.array ?? []
        }
    }

    /// A chat in which the customer asked about refunds, with a matching article.
    func refundChat(_ hub: TestHub) async throws -> (chat: String, agent: String, customer: String) {
        let agent = try await hub.token("agent-1", [.agent])
        let customer = try await hub.token("cust-1", [.customer])
        _ = try await http(
            .POST, hub.baseURL + "/api/v1/support/kb/articles", token: agent,
            body: #"{"title":"How refunds work","body":"Refunds reach the original card within five days."}"#)
        let chat = try #require(try await http(.POST, hub.baseURL + "/api/v1/support/chats", token: customer, body: "{}").json?["id"]?.string)
        _ = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/messages", token: customer, body: #"{"text":"Where is my refund?"}"#)
        return (chat, agent, customer)
    }

    @Test func withoutAProviderTheAssistantSuggestsArticlesOnly() async throws {
        try await withHub { hub in
            let (chat, agent, customer) = try await refundChat(hub)
            let assist = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/assist", token: agent)
            #expect(assist.status == 200, "\(assist.text)")
            #expect(assist.json?["draft"] == .null || assist.json?["draft"] == nil)
            #expect(assist.json?["error"] == nil)
            #expect(assist.json?["articles"]?.array?.first?["title"] == .string("How refunds work"))
            #expect(try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/assist", token: customer).status == 403)
        }
    }

    @Test func aProviderDraftsFromTheConversationAndArticles() async throws {
        let provider = try await FakeProvider()
        try await withHub({ $0.assistant.url = provider.url }) { hub in
            let (chat, agent, _) = try await refundChat(hub)
            let socket = SocketClient(url: hub.webSocketURL, token: agent)
            let assist = try await socket.request(1, #"{"op":"command","id":1,"target":"chat:\#(chat)","name":"chat.assist"}"#)
            #expect(assist["result"]?["draft"] == .string("Draft for: Where is my refund? (1 articles)"), "\(assist)")
            let sent = try #require(try await provider.requests().last)
            #expect(sent["model"] == .string("gpt-4o-mini"))
            let roles = sent["messages"]?.array?.compactMap { $0["role"]?.string }
            #expect(roles == ["system", "system", "user"])
        }
    }

    @Test func aSlowOrFailingProviderNeverBlocksTheChat() async throws {
        let provider = try await FakeProvider()
        try await withHub({ $0.assistant.url = provider.url; $0.assistant.timeoutSeconds = 1 }) { hub in
            let (chat, agent, customer) = try await refundChat(hub)
            try await provider.mode("slow")
            let assisting = Task { try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/assist", token: agent) }
            // While the provider stalls, the conversation goes on
            try await Task.sleep(for: .milliseconds(200))
            let message = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/messages", token: customer, body: #"{"text":"hello?"}"#)
            #expect(message.status == 201)
            let slow = try await assisting.value
            #expect(slow.status == 200)
            #expect(slow.json?["error"]?["code"] == .string("assistant_timeout"), "\(slow.text)")
            #expect(slow.json?["articles"]?.array?.count == 1, "articles still come")

            try await provider.mode("fail")
            let failed = try await http(.POST, hub.baseURL + "/api/v1/support/chats/\(chat)/assist", token: agent)
            #expect(failed.json?["error"]?["code"] == .string("assistant_failed"), "\(failed.text)")
        }
    }

    @Test func anInvalidProviderURLStopsTheHubFromStarting() async throws {
        await #expect(throws: HubError.self) {
            try await withHub({ $0.assistant.url = "ftp://127.0.0.1/v1" }) { _ in }
        }
    }
}
