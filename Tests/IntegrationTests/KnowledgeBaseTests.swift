import Foundation
@testable import Hub
import Testing

/// The knowledge base over REST: articles, FTS5 search, and suggestions for new conversations.
@Suite("Knowledge base")
struct KnowledgeBaseTests {
    func article(_ hub: TestHub, token: String, _ body: String) async throws -> String {
        let created = try await http(.POST, hub.baseURL + "/api/v1/support/kb/articles", token: token, body: body)
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json?["id"]?.string)
    }

    func search(_ hub: TestHub, token: String, _ query: String) async throws -> [JSONValue] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let result = try await http(.GET, hub.baseURL + "/api/v1/support/kb/search?q=\(encoded)", token: token)
        #expect(result.status == 200, "\(query): \(result.text)")
        return result.json?["results"]?.array ?? []
    }

    @Test func articlesAreSearchedWithRankingPrefixesAndSnippets() async throws {
        try await withHub { hub in
            let agent = try await hub.token("agent-1", [.agent])
            let customer = try await hub.token("cust-1", [.customer])
            let refunds = try await article(hub, token: agent, #"{"title":"How refunds work","body":"We send refunds to the original card within five days.","tags":["billing"]}"#)
            let cards = try await article(hub, token: agent, #"{"title":"Changing your card","body":"Update the card on file. A refund goes to the old card if it was issued before.","tags":["billing"]}"#)
            let german = try await article(hub, token: agent, #"{"title":"Rückerstattung","body":"Wir erstatten den Betrag innerhalb von fünf Tagen.","locale":"de"}"#)
            #expect(try await http(.POST, hub.baseURL + "/api/v1/support/kb/articles", token: customer, body: #"{"title":"x","body":"y"}"#).status == 403)

            // Anyone signed in searches; a title match outranks a body match; snippets mark the terms
            let results = try await search(hub, token: customer, "refund")
            #expect(results.compactMap { $0["id"]?.string } == [refunds, cards])
            #expect(results.first?["snippet"]?.string?.contains("<mark>refunds</mark>") == true)
            let scores = results.compactMap { result -> Double? in
                switch result["score"] { case .number(let value)?: value; case .integer(let value)?: Double(value); default: nil }
            }
            #expect(scores.count == 2 && scores[0] > scores[1])
            #expect(try await search(hub, token: customer, "refu").count == 2, "the last word matches as a prefix")
            #expect(try await search(hub, token: customer, "card refund five").first?["id"] == .string(refunds), "every word first")
            #expect(try await search(hub, token: customer, "refund teleport").count == 2, "any word when none has them all")
            #expect(try await search(hub, token: customer, "ruckerstattung").first?["id"] == .string(german), "diacritics fold")
            let inGerman = try await http(.GET, hub.baseURL + "/api/v1/support/kb/search?q=refund&locale=de", token: customer)
            #expect(inGerman.json?["results"]?.array?.isEmpty == true)

            // FTS5 syntax in a query is just text; no word at all is a 400
            for hostile in [#""unbalanced"#, "NEAR(refund card)", "refund*", "title:refund", "a OR b AND NOT c", "refund -(){}^"] {
                _ = try await search(hub, token: customer, hostile)
            }
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/kb/search?q=%2A%2A", token: customer).status == 422)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/kb/search", token: customer).status == 400)

            // Updates reindex; deletes remove
            let updated = try await http(
                .PATCH, hub.baseURL + "/api/v1/support/kb/articles/\(cards)", token: agent,
                body: #"{"body":"Update the card on file at any time."}"#)
            #expect(updated.json?["title"] == .string("Changing your card"))
            #expect(try await search(hub, token: customer, "refund").compactMap { $0["id"]?.string } == [refunds])
            #expect(try await http(.DELETE, hub.baseURL + "/api/v1/support/kb/articles/\(refunds)", token: agent).status == 204)
            #expect(try await search(hub, token: customer, "refund").isEmpty)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/support/kb/articles/\(refunds)", token: customer).status == 404)
            #expect(try await http(.DELETE, hub.baseURL + "/api/v1/support/kb/articles/\(refunds)", token: agent).status == 404)
            #expect(try await http(.POST, hub.baseURL + "/api/v1/support/kb/articles", token: agent, body: #"{"title":"  ","body":"y"}"#).status == 422)
        }
    }

    @Test func newTicketsAndChatsGetSuggestedArticles() async throws {
        try await withHub { hub in
            let agent = try await hub.token("agent-1", [.agent])
            let customer = try await hub.token("cust-1", [.customer])
            let refunds = try await article(hub, token: agent, #"{"title":"How refunds work","body":"Refunds reach the original card within five days."}"#)

            let ticket = try await http(
                .POST, hub.baseURL + "/api/v1/support/tickets", token: customer,
                body: #"{"subject":"Refund please","body":"I want my money back","queue":"billing"}"#)
            let ticketID = try #require(ticket.json?["id"]?.string)
            let ticketEvents = try await http(.GET, hub.baseURL + "/api/v1/topics/ticket:\(ticketID)/events?since=0", token: customer)
            let suggested = ticketEvents.json?["events"]?.array?.first { $0["name"] == .string("ticket.articles_suggested") }
            #expect(suggested?["data"]?["articles"]?.array?.first?["id"] == .string(refunds), "\(ticketEvents.text)")

            let chat = try await http(.POST, hub.baseURL + "/api/v1/support/chats", token: customer, body: "{}")
            let chatID = try #require(chat.json?["id"]?.string)
            let client = SocketClient(url: hub.webSocketURL, token: customer)
            _ = try await client.subscribe(1, "chat:\(chatID)")
            _ = try await client.publish(2, "chat:\(chatID)", name: "message", data: #""how do refunds work?""#)
            let chatSuggestion = try await client.next { $0["name"] == .string("chat.articles_suggested") }
            #expect(chatSuggestion["data"]?["articles"]?.array?.first?["title"] == .string("How refunds work"))
            _ = try await client.publish(3, "chat:\(chatID)", name: "message", data: #""and refunds to a closed card?""#)
            let history = try await http(.GET, hub.baseURL + "/api/v1/topics/chat:\(chatID)/events?since=0", token: customer)
            #expect(history.json?["events"]?.array?.compactMap { $0["name"]?.string }
                == ["chat.created", "message.created", "chat.articles_suggested", "message.created"], "only the first message gets suggestions")
        }
    }
}
