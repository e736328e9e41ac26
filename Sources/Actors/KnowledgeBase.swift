import Channels
import Foundation
import Store

/// The support knowledge base: articles staff write and anyone signed in searches, and the
/// suggestions a new chat or ticket gets from its first message.
///
/// Search is SQLite FTS5 with BM25 ranking (title weighs most, then tags, then body),
/// prefix matching on every term, and snippets with the matches in `<mark>`…`</mark>`.
/// Queries are built from the words of the text only, so no FTS5 syntax from a client
/// ever reaches SQLite.
public final class KnowledgeBase: Sendable {
    private let store: any KnowledgeBaseStore

    /// Creates the knowledge base over its store.
    public init(store: any KnowledgeBaseStore) {
        self.store = store
    }

    /// Saves a new article (staff only).
    public func create(_ draft: ArticleDraft, by principal: Principal) async throws(EntityError) -> KnowledgeArticle {
        try Self.requireStaff(principal)
        try draft.validate()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let article = KnowledgeArticle(
            id: "kb_" + SupportDesk.newID().lowercased(), title: draft.title, body: draft.body, tags: draft.tags,
            locale: draft.locale, createdMilliseconds: now, updatedMilliseconds: now)
        try await save(article)
        return article
    }

    /// Replaces the given fields of an article (staff only).
    public func update(_ id: String, _ changes: ArticleChanges, by principal: Principal) async throws(EntityError) -> KnowledgeArticle {
        try Self.requireStaff(principal)
        var article = try await article(id)
        var draft = ArticleDraft(title: article.title, body: article.body, tags: article.tags, locale: article.locale)
        draft.title = changes.title ?? draft.title
        draft.body = changes.body ?? draft.body
        draft.tags = changes.tags ?? draft.tags
        draft.locale = changes.locale ?? draft.locale
        try draft.validate()
        article.title = draft.title
        article.body = draft.body
        article.tags = draft.tags
        article.locale = draft.locale
        article.updatedMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        try await save(article)
        return article
    }

    /// Deletes an article (staff only); `not_found` when there is none.
    public func delete(_ id: String, by principal: Principal) async throws(EntityError) {
        try Self.requireStaff(principal)
        let deleted: Bool
        do { deleted = try await store.deleteArticle(id: id) } catch { throw .unavailable(error.message) }
        guard deleted else { throw .notFound("no article \(id)") }
    }

    /// An article by id.
    public func article(_ id: String) async throws(EntityError) -> KnowledgeArticle {
        let found: KnowledgeArticle?
        do { found = try await store.article(id: id) } catch { throw .unavailable(error.message) }
        guard let found else { throw .notFound("no article \(id)") }
        return found
    }

    /// Articles matching every word of `text` (the last one as a prefix, as typed); when
    /// none matches them all, those matching any, best first.
    public func search(_ text: String, locale: String? = nil, limit: Int = 10) async throws(EntityError) -> [KnowledgeMatch] {
        let terms = Self.terms(of: text)
        guard !terms.isEmpty else { throw .invalid("q needs at least one word") }
        let every = try await search(query: Self.query(terms, joinedBy: " AND "), locale: locale, limit: limit)
        guard every.isEmpty, terms.count > 1 else { return every }
        return try await search(query: Self.query(terms, joinedBy: " OR "), locale: locale, limit: limit)
    }

    /// Up to three articles for a new conversation's first message (any word may match);
    /// none when the text has no words or the search fails, since a suggestion must never
    /// hold up a chat or ticket.
    public func suggestions(for text: String) async -> [KnowledgeMatch] {
        let terms = Self.terms(of: text).filter { $0.count > 2 }
        guard !terms.isEmpty else { return [] }
        return (try? await search(query: Self.query(terms, joinedBy: " OR "), locale: nil, limit: 3)) ?? []
    }

    private func search(query: String, locale: String?, limit: Int) async throws(EntityError) -> [KnowledgeMatch] {
        do {
            return try await store.searchArticles(matching: query, locale: locale, limit: limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    private func save(_ article: KnowledgeArticle) async throws(EntityError) {
        do { try await store.saveArticle(article) } catch { throw .unavailable(error.message) }
    }

    private static func requireStaff(_ principal: Principal) throws(EntityError) {
        guard principal.isStaff else { throw .forbidden("only staff write knowledge-base articles") }
    }

    /// The words of a text, lowercased, at most 16 (letters and digits; everything else separates).
    static func terms(of text: String) -> [String] {
        Array(text.lowercased().split { !$0.isLetter && !$0.isNumber }.prefix(16).map(String.init))
    }

    /// An FTS5 query: each term quoted (so nothing in it is syntax) and matched as a prefix.
    static func query(_ terms: [String], joinedBy separator: String) -> String {
        terms.map { "\"\($0)\"*" }.joined(separator: separator)
    }
}

/// A new article as a client sends it.
public struct ArticleDraft: Sendable, Equatable {
    /// 1 to 200 characters.
    public var title: String
    /// 1 to 100,000 characters.
    public var body: String
    /// Up to 20 tags, each `[a-z0-9_-]{1,32}`.
    public var tags: [String]
    /// A BCP 47 tag, `en` by default.
    public var locale: String

    /// Creates a draft.
    public init(title: String, body: String, tags: [String] = [], locale: String? = nil) {
        self.title = title
        self.body = body
        self.tags = tags
        self.locale = locale ?? "en"
    }

    func validate() throws(EntityError) {
        guard (1...200).contains(title.count), !title.allSatisfy(\.isWhitespace) else {
            throw .invalid("title must be 1 to 200 characters and not blank")
        }
        guard (1...100_000).contains(body.count), !body.allSatisfy(\.isWhitespace) else {
            throw .invalid("body must be 1 to 100,000 characters and not blank")
        }
        try TicketRules.checkTags(tags)
        let isLocale = (2...35).contains(locale.utf8.count)
            && locale.utf8.allSatisfy { $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        guard isLocale else { throw .invalid("locale must be a language tag such as en or pt-BR") }
    }
}

/// What an article update changes; nil leaves a field as it is.
public struct ArticleChanges: Sendable, Equatable {
    public var title: String?
    public var body: String?
    public var tags: [String]?
    public var locale: String?

    /// Creates changes.
    public init(title: String? = nil, body: String? = nil, tags: [String]? = nil, locale: String? = nil) {
        self.title = title
        self.body = body
        self.tags = tags
        self.locale = locale
    }
}

/// The payload of `ticket.articles_suggested` and `chat.articles_suggested`: articles that
/// may answer a new conversation, for the customer's self-service and the agent.
struct SuggestedArticles: Codable, Sendable {
    struct Article: Codable, Sendable {
        var id: String
        var title: String
        var snippet: String
    }

    var articles: [Article]

    init(_ matches: [KnowledgeMatch]) {
        articles = matches.map { Article(id: $0.id, title: $0.title, snippet: $0.snippet) }
    }
}
