import Crypto
import Foundation

/// Signs webhook messages the Standard Webhooks way, so any Standard Webhooks verifier
/// accepts them. Pure functions: the caller sets the `webhook-id`, `webhook-timestamp` and
/// `webhook-signature` headers from the same id, timestamp and body it signed.
public enum WebhookSigner {
    /// `v1,` + base64(HMAC-SHA256(key: the secret's bytes, message: "{id}.{timestamp}.{body}")).
    public static func signature(id: String, timestamp: Int64, body: [UInt8], key: WebhookSigningKey) -> String {
        var hmac = key.keyed
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The `webhook-signature` header value: one signature per key, space-separated, in
    /// the order given, so a receiver accepts the message during a secret rotation.
    public static func header(id: String, timestamp: Int64, body: [UInt8], keys: [WebhookSigningKey]) -> String {
        keys.map { signature(id: id, timestamp: timestamp, body: body, key: $0) }.joined(separator: " ")
    }
}
