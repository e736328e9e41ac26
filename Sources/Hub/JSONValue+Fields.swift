import Actors

/// Typed reads of a REST body's fields, each failing with a 422 that names the field.
extension JSONValue {
    /// A string that must be there.
    func requiredString(_ key: String) throws -> String {
        guard case .string(let value)? = self[key] else { throw HubError.invalid("\(key) is required: a string") }
        return value
    }

    /// A string, or nil when absent or null.
    func optionalString(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw HubError.invalid("\(key) must be a string")
        }
    }

    /// An array of strings, or nil when absent or null.
    func strings(_ key: String) throws -> [String]? {
        guard let value = self[key], value != .null else { return nil }
        guard case .array(let items) = value else { throw HubError.invalid("\(key) must be an array of strings") }
        return try items.map {
            guard case .string(let text) = $0 else { throw HubError.invalid("\(key) must be an array of strings") }
            return text
        }
    }

    /// A ticket priority (`low`, `normal`, `high`, `urgent`).
    func priority(_ key: String) throws -> TicketPriority? {
        guard let text = try optionalString(key) else { return nil }
        guard let priority = TicketPriority(rawValue: text) else {
            throw HubError.invalid("\(key) must be one of low, normal, high, urgent")
        }
        return priority
    }
}
