import Crypto

/// A webhook secret made ready to sign: HMAC-SHA256 keyed once (the key is padded and
/// hashed into the inner and outer states here), then copied for every message, so a
/// delivery pays only for hashing its own bytes.
public struct WebhookSigningKey: Sendable {
    /// The keyed HMAC, never updated in place: `WebhookSigner` signs on a copy.
    let keyed: HMAC<SHA256>

    /// Keys HMAC-SHA256 with `secret`.
    public init(_ secret: WebhookSecret) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: secret.bytes))
    }
}
