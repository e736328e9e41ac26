import Foundation

/// The checks every messaging settings type runs on its base URL, timeout, identifiers and
/// secrets, so they refuse the same things with the same words.
enum ProviderSettingsCheck {
    /// `text` without a trailing slash, when it is an http or https URL with a host and no
    /// query or fragment.
    static func baseURL(_ text: String, of api: String) throws(MessagingError) -> String {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased()), url.host?.isEmpty == false,
              url.query == nil, url.fragment == nil
        else { throw .invalidSettings("the \(api) URL must be an http or https URL without a query") }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `timeout` when it is longer than zero.
    static func timeout(_ timeout: Duration, of api: String) throws(MessagingError) -> Duration {
        guard timeout > .zero else { throw .invalidSettings("the \(api) timeout must be longer than zero") }
        return timeout
    }

    /// `value` when it is not empty and holds only ASCII letters, digits, `-` and `_`, so it
    /// is safe as one URL path segment and as a Basic user name.
    static func identifier(_ value: String, named name: String) throws(MessagingError) -> String {
        guard !value.isEmpty, value.utf8.allSatisfy(identifierBytes.contains) else {
            throw .invalidSettings("the \(name) must not be empty and must hold only ASCII letters, digits, - and _")
        }
        return value
    }

    /// `value` when it is not empty and holds only visible ASCII, so it is safe in a header.
    static func secret(_ value: String, named name: String) throws(MessagingError) -> String {
        guard !value.isEmpty, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidSettings("the \(name) must not be empty and must hold only visible ASCII characters")
        }
        return value
    }

    private static let identifierBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}
