import Foundation

/// An e-mail address with an optional display name, checked once when made so that it can
/// go into an SMTP envelope and a header without further escaping.
///
/// Guarantees: `address` is `local@domain` in ASCII, with no whitespace, control
/// characters, `<`, `>`, `,`, `;`, `"` or `(`, `)`; `name` has no line breaks or other
/// control characters. Internationalised (SMTPUTF8) addresses are refused.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address, e.g. `noreply@example.com`.
    public let address: String
    /// The display name, e.g. `Switchboard`; any Unicode text without control characters.
    public let name: String?

    /// Checks and creates an address.
    public init(_ address: String, name: String? = nil) throws(EmailError) {
        guard Self.isValid(address) else { throw .invalidMessage("'\(Self.printable(address))' is not an e-mail address") }
        if let name, name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidMessage("the display name of \(address) contains a line break or control character")
        }
        self.address = address
        self.name = name?.isEmpty == true ? nil : name
    }

    /// Parses `Name <local@domain>` or a bare `local@domain`, as in `SWITCHBOARD_EMAIL_FROM`.
    public init(parsing text: String) throws(EmailError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            try self.init(trimmed)
            return
        }
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        try self.init(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]), name: name)
    }

    /// The domain part, used for `Message-ID`s.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    /// `Name <address>` or the bare address.
    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// What a domain may hold: ASCII letters, digits, `-` and `.` (IDNs go in as punycode).
    private static let domainScalars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.".unicodeScalars)

    private static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at], domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty, !domain.hasPrefix("."), !domain.hasSuffix(".") else { return false }
        let forbidden = Set("<>,;:\"()[]\\ @".unicodeScalars)
        return local.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 && !forbidden.contains($0) }
            && domain.unicodeScalars.allSatisfy { domainScalars.contains($0) }
    }

    /// The input with control characters made visible, for an error message.
    private static func printable(_ text: String) -> String {
        String(text.prefix(100).unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}
