import Foundation
import GRDB

extension SQLiteStore: KnowledgeBaseStore {
    public func saveArticle(_ article: KnowledgeArticle) async throws(StoreError) {
        let tags = String(decoding: (try? JSONEncoder().encode(article.tags)) ?? Data("[]".utf8), as: UTF8.self)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO kb_articles (id, title, body, tags, locale, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, tags = excluded.tags,
                    locale = excluded.locale, updated_ms = excluded.updated_ms
                """, arguments: [
                    article.id, article.title, article.body, tags, article.locale,
                    article.createdMilliseconds, article.updatedMilliseconds,
                ])
        }
    }

    public func article(id: String) async throws(StoreError) -> KnowledgeArticle? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM kb_articles WHERE id = ?", arguments: [id]).map { row in
                let tags: String = row["tags"]
                return KnowledgeArticle(
                    id: row["id"], title: row["title"], body: row["body"],
                    tags: (try? JSONDecoder().decode([String].self, from: Data(tags.utf8))) ?? [], locale: row["locale"],
                    createdMilliseconds: row["created_ms"], updatedMilliseconds: row["updated_ms"])
            }
        }
    }

    public func deleteArticle(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM kb_articles WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func searchArticles(matching query: String, locale: String?, limit: Int) async throws(StoreError) -> [KnowledgeMatch] {
        try await read { db in
            // bm25 weights: title 10, body 1, tags 5. Lower bm25 is better, so it is negated.
            try Row.fetchAll(db, sql: """
                SELECT a.id, a.title, snippet(kb_fts, 1, '<mark>', '</mark>', '…', 16) AS snippet,
                       -bm25(kb_fts, 10.0, 1.0, 5.0) AS score
                FROM kb_fts JOIN kb_articles a ON a.rowid = kb_fts.rowid
                WHERE kb_fts MATCH ? AND (? IS NULL OR a.locale = ?)
                ORDER BY bm25(kb_fts, 10.0, 1.0, 5.0) LIMIT ?
                """, arguments: [query, locale, locale, limit]).map { row in
                KnowledgeMatch(id: row["id"], title: row["title"], snippet: row["snippet"], score: row["score"])
            }
        }
    }
}
