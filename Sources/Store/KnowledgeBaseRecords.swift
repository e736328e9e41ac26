/// A knowledge-base article as stored.
public struct KnowledgeArticle: Sendable, Equatable, Codable {
    /// `kb_...`.
    public var id: String
    /// The title; matches in it weigh most.
    public var title: String
    /// The body (plain text or Markdown).
    public var body: String
    /// Tags; matches in them weigh more than in the body.
    public var tags: [String]
    /// A BCP 47 language tag such as `en` or `pt-BR`.
    public var locale: String
    /// Creation and last change, in milliseconds since 1970.
    public var createdMilliseconds: Int64
    public var updatedMilliseconds: Int64

    /// Creates an article.
    public init(
        id: String, title: String, body: String, tags: [String], locale: String,
        createdMilliseconds: Int64, updatedMilliseconds: Int64
    ) {
        self.id = id
        self.title = title
        self.body = body
        self.tags = tags
        self.locale = locale
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }
}

/// One search result: the article, a snippet of the body with the matched terms wrapped
/// in `<mark>`…`</mark>`, and a relevance score (higher is better).
public struct KnowledgeMatch: Sendable, Equatable {
    /// The article's id.
    public var id: String
    /// The article's title.
    public var title: String
    /// Up to about 16 words around the best match, marked.
    public var snippet: String
    /// The BM25 relevance, negated so that higher is better.
    public var score: Double

    /// Creates a match.
    public init(id: String, title: String, snippet: String, score: Double) {
        self.id = id
        self.title = title
        self.snippet = snippet
        self.score = score
    }
}

/// The knowledge base: articles and their full-text index (SQLite FTS5, BM25 ranking).
public protocol KnowledgeBaseStore: Sendable {
    /// Inserts or replaces an article; its index entry changes in the same transaction.
    func saveArticle(_ article: KnowledgeArticle) async throws(StoreError)

    /// The article, if it exists.
    func article(id: String) async throws(StoreError) -> KnowledgeArticle?

    /// Deletes an article and its index entry; false when there was none.
    func deleteArticle(id: String) async throws(StoreError) -> Bool

    /// The best matches of an FTS5 query (already built from safe, quoted terms), best
    /// first, optionally in one locale.
    func searchArticles(matching query: String, locale: String?, limit: Int) async throws(StoreError) -> [KnowledgeMatch]
}
