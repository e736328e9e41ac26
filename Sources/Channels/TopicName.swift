/// A validated topic name, `namespace:id`.
///
/// The namespace is 1–32 characters of `a-z`, `0-9`, `_`, `-`, starting with a letter; the
/// id is 1–128 characters of letters, digits and `_ - . @ = + :`. Anything else is refused,
/// so a topic name is always safe in logs, SQL parameters and JSON without escaping.
public struct TopicName: Hashable, Sendable, CustomStringConvertible {
    /// The whole name.
    public let rawValue: String
    /// The part before the first `:`, which selects the policy.
    public let namespace: String
    /// The part after the first `:`.
    public let id: String

    /// Parses a topic name; nil when it is not valid.
    public init?(_ rawValue: String) {
        // Bytes, not characters: searching by `Character` segments graphemes, a cost on every frame.
        guard rawValue.utf8.count <= 161, let colon = rawValue.utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let namespace = rawValue[..<colon]
        let id = rawValue.utf8[rawValue.utf8.index(after: colon)...]
        guard Self.isValidNamespace(namespace),
              (1...128).contains(id.count),
              id.allSatisfy(Self.isIDByte)
        else { return nil }
        self.rawValue = rawValue
        self.namespace = String(namespace)
        self.id = String(Substring(id))
    }

    public var description: String { rawValue }

    /// Whether `name` is a valid namespace.
    public static func isValidNamespace<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              name.utf8.count <= 32
        else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "_-.@=+:".utf8.contains(byte)
        }
    }
}
