import Actors
import Hummingbird
import Store

/// `/api/v1/support/kb`: knowledge-base articles (staff write, anyone signed in reads) and
/// full-text search.
extension RESTRoutes {
    func registerKnowledgeBase(on api: RouterGroup<BasicRequestContext>) {
        let kb = api.group("/support/kb")
        kb.post("/articles") { request, _ in
            let principal = try await authenticate(request)
            let body = try await jsonBody(request)
            let draft = ArticleDraft(
                title: try body.requiredString("title"), body: try body.requiredString("body"),
                tags: try body.strings("tags") ?? [], locale: try body.optionalString("locale"))
            let article = try await desk { try await hub.knowledgeBase.create(draft, by: principal) }
            return try encodeJSON(.created, ArticleBody(article))
        }
        kb.get("/articles/:id") { request, context in
            _ = try await authenticate(request)
            let article = try await desk { try await hub.knowledgeBase.article(try articleID(context)) }
            return try encodeJSON(.ok, ArticleBody(article))
        }
        kb.patch("/articles/:id") { request, context in
            let principal = try await authenticate(request)
            let body = try await jsonBody(request)
            let changes = ArticleChanges(
                title: try body.optionalString("title"), body: try body.optionalString("body"),
                tags: try body.strings("tags"), locale: try body.optionalString("locale"))
            let article = try await desk { try await hub.knowledgeBase.update(try articleID(context), changes, by: principal) }
            return try encodeJSON(.ok, ArticleBody(article))
        }
        kb.delete("/articles/:id") { request, context in
            let principal = try await authenticate(request)
            try await desk { try await hub.knowledgeBase.delete(try articleID(context), by: principal) }
            return Response(status: .noContent)
        }
        kb.get("/search") { request, _ in
            _ = try await authenticate(request)
            let query = request.uri.queryParameters
            guard let text = query["q"], !text.isEmpty, text.count <= 500 else {
                throw HubError.badRequest("q is required: 1 to 500 characters")
            }
            let limit = try pageLimit(request, upTo: 50, default: 10)
            let locale = query["locale"].map(String.init)
            let matches = try await desk { try await hub.knowledgeBase.search(String(text), locale: locale, limit: limit) }
            return try encodeJSON(.ok, ["results": matches.map(SearchResultBody.init)])
        }
    }

    private func articleID(_ context: BasicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...64).contains(id.utf8.count) else { throw HubError.badRequest("invalid article id") }
        return id
    }
}

/// An article as the API shows it.
struct ArticleBody: Encodable {
    var id, title, body, locale: String
    var tags: [String]
    var createdAt, updatedAt: String

    init(_ article: KnowledgeArticle) {
        id = article.id
        title = article.title
        body = article.body
        locale = article.locale
        tags = article.tags
        createdAt = JSONText.timestamp(milliseconds: article.createdMilliseconds)
        updatedAt = JSONText.timestamp(milliseconds: article.updatedMilliseconds)
    }
}

/// One search result.
struct SearchResultBody: Encodable {
    var id, title, snippet: String
    var score: Double

    init(_ match: KnowledgeMatch) {
        id = match.id
        title = match.title
        snippet = match.snippet
        score = match.score
    }
}
