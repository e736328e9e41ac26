import GRDB

/// One newest-first page of an index table (tickets, chats): equality filters, an
/// allowed-values list and the cursor of the previous page, ordered by `created_ms, id`.
struct IndexPageQuery {
    private let table: String
    private var conditions: [String] = []
    private var arguments: [any DatabaseValueConvertible] = []

    init(table: String) {
        self.table = table
    }

    /// Keeps rows whose `column` equals `value`; nil does not filter.
    mutating func equal(_ column: String, _ value: String?) {
        guard let value else { return }
        conditions.append("\(column) = ?")
        arguments.append(value)
    }

    /// Keeps rows whose `column` is one of `values`; nil does not filter, empty keeps nothing.
    mutating func within(_ column: String, _ values: [String]?) {
        guard let values else { return }
        conditions.append(values.isEmpty ? "0" : "\(column) IN (\(databaseQuestionMarks(count: values.count)))")
        arguments += values
    }

    /// Keeps rows older than the cursor (the creation time and id of the previous page's last row).
    mutating func after(_ cursor: (createdMilliseconds: Int64, id: String)?) {
        guard let cursor else { return }
        conditions.append("(created_ms < ? OR (created_ms = ? AND id < ?))")
        arguments += [cursor.createdMilliseconds, cursor.createdMilliseconds, cursor.id]
    }

    /// The rows of the page, at most `limit`.
    func fetch(_ db: Database, limit: Int) throws -> [Row] {
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(
            db, sql: "SELECT * FROM \(table) \(filter) ORDER BY created_ms DESC, id DESC LIMIT ?",
            arguments: StatementArguments(arguments + [limit]))
    }
}
