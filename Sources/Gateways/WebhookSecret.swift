import Crypto
import Foundation

/// A Standard Webhooks signing secret: 24...64 random bytes, written `whsec_` + standard
/// base64. Any value of this type holds a key of a valid length.
public struct WebhookSecret: Sendable, Equatable {
    /// The prefix of the encoded form.
    static let prefix = "whsec_"
    /// The key sizes the specification allows, in bytes.
    static let sizes = 24...64

    /// The HMAC-SHA256 key.
    public let bytes: [UInt8]

    /// Decodes `whsec_` + standard base64 of 24...64 bytes; throws `.invalidSecret` for
    /// anything else.
    public init(encoded: String) throws(GatewayError) {
        guard encoded.hasPrefix(Self.prefix) else {
            throw .invalidSecret("a webhook secret starts with \(Self.prefix)")
        }
        guard let decoded = Data(base64Encoded: String(encoded.dropFirst(Self.prefix.count))) else {
            throw .invalidSecret("a webhook secret is \(Self.prefix) followed by standard base64")
        }
        guard Self.sizes.contains(decoded.count) else {
            throw .invalidSecret("a webhook secret holds \(Self.sizes.lowerBound) to \(Self.sizes.upperBound) bytes, not \(decoded.count)")
        }
        self.bytes = Array(decoded)
    }

    /// Wraps raw key bytes.
    ///
    /// - Precondition: `bytes` holds 24...64 bytes.
    public init(bytes: [UInt8]) {
        precondition(Self.sizes.contains(bytes.count), "a webhook secret holds 24 to 64 bytes, not \(bytes.count)")
        self.bytes = bytes
    }

    /// The `whsec_` + base64 form that `init(encoded:)` reads back.
    public var encoded: String { Self.prefix + Data(bytes).base64EncodedString() }

    /// A new secret of 32 bytes from the system's secure random source.
    public static func generate() -> WebhookSecret {
        WebhookSecret(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }
}
