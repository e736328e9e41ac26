import Crypto
import Foundation
import NIOCore

/// Checks a webhook delivery the way a Standard Webhooks receiver does: one of the
/// space-separated `v1,` entries of `webhook-signature` must be
/// base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), and the timestamp
/// must be within five minutes of the receiver's clock.
struct WebhookVerifier: Sendable {
    /// What a delivery's headers and body amount to.
    enum Verdict: Sendable {
        case valid
        /// No entry of the signature header matches, or a header is missing.
        case badSignature
        /// The signature matches, but the timestamp is more than ``tolerance`` seconds off.
        case staleTimestamp
    }

    /// How far `webhook-timestamp` may be from the receiver's clock, in seconds (the Standard
    /// Webhooks default).
    static let tolerance = 300

    private let key: SymmetricKey

    /// A verifier for the endpoint secret `whsec_<base64 key>`; nil when `secret` is not of that form.
    init?(secret: String) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst("whsec_".count))),
              !bytes.isEmpty
        else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// Checks one delivery; `now` is the receiver's Unix time in seconds.
    func check(id: String?, timestamp: String?, signatures: String?, body: ByteBuffer, now: Int) -> Verdict {
        guard let id, let timestamp, let signatures, let seconds = Int(timestamp) else { return .badSignature }
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        body.withUnsafeReadableBytes { hmac.update(data: $0) }
        let code = hmac.finalize()
        let matches = signatures.split(separator: " ").contains { entry in
            guard entry.hasPrefix("v1,"), let expected = Data(base64Encoded: String(entry.dropFirst(3))) else { return false }
            return code == expected
        }
        guard matches else { return .badSignature }
        return abs(now - seconds) <= Self.tolerance ? .valid : .staleTimestamp
    }
}
