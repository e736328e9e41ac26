/// A filter pattern of a webhook endpoint: "*" matches every event name, a pattern ending
/// in "*" (such as "ticket.*") every name that starts with what comes before it, anything
/// else one name exactly. Encoded as a plain string.
public struct EventPattern: Sendable, Hashable, Codable {
    /// The longest pattern accepted, in characters.
    static let maximumLength = 128

    /// The pattern as written.
    public let rawValue: String

    /// Accepts 1...128 characters of `[a-z0-9._:*-]`, with "*" only as the whole pattern
    /// or its last character; nil otherwise.
    public init?(_ rawValue: String) {
        let characters = Array(rawValue.utf8)
        guard (1...Self.maximumLength).contains(characters.count),
            characters.allSatisfy(Self.isAllowed),
            !characters.dropLast().contains(UInt8(ascii: "*"))
        else { return nil }
        self.rawValue = rawValue
    }

    /// True when `name` is matched by this pattern.
    public func matches(_ name: String) -> Bool {
        guard rawValue.hasSuffix("*") else { return name == rawValue }
        return name.hasPrefix(rawValue.dropLast())
    }

    /// Decodes a single string; a string that is not a valid pattern is a data corruption error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let pattern = EventPattern(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid event pattern \"\(text)\"")
        }
        self = pattern
    }

    /// Encodes `rawValue` as a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// True for the bytes of `[a-z0-9._:*-]`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "*"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
