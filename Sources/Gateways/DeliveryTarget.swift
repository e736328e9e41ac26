import Store

/// What an attempt needs from its endpoint that stays the same until the endpoint changes:
/// the URL's host, parsed once, and the signing keys, opened and keyed once.
///
/// The host is only parsed here, never resolved: every attempt still resolves it and checks
/// the addresses (``AddressPolicy/check(host:)``), since DNS may answer differently later.
struct DeliveryTarget: Sendable {
    /// The endpoint as it was when this was made: a record that differs in any of these
    /// (updated URL, rotated secret) needs a new target.
    private let url: String
    private let sealedSecret: [UInt8]
    private let sealedPreviousSecret: [UInt8]?
    private let previousSecretExpiresMilliseconds: Int64?

    /// The URL's host, as ``AddressPolicy/host(of:)`` took it.
    let host: String
    private let current: WebhookSigningKey
    private let previous: WebhookSigningKey?

    /// Parses the endpoint's URL and opens its secrets; throws what either refuses.
    init(_ endpoint: WebhookEndpointRecord, endpoints: WebhookEndpoints) throws(GatewayError) {
        url = endpoint.url
        sealedSecret = endpoint.sealedSecret
        sealedPreviousSecret = endpoint.sealedPreviousSecret
        previousSecretExpiresMilliseconds = endpoint.previousSecretExpiresMilliseconds
        host = try AddressPolicy.host(of: endpoint.url)
        let secrets = try endpoints.openSecrets(of: endpoint)
        current = WebhookSigningKey(secrets.current)
        previous = secrets.previous.map(WebhookSigningKey.init)
    }

    /// True when `endpoint` still has the URL and secrets this was made from.
    func matches(_ endpoint: WebhookEndpointRecord) -> Bool {
        url == endpoint.url && sealedSecret == endpoint.sealedSecret && sealedPreviousSecret == endpoint.sealedPreviousSecret
            && previousSecretExpiresMilliseconds == endpoint.previousSecretExpiresMilliseconds
    }

    /// The keys that sign at `nowMilliseconds`: the current one, then the previous one while
    /// the rotation's overlap lasts.
    func keys(nowMilliseconds: Int64) -> [WebhookSigningKey] {
        guard let previous, let expires = previousSecretExpiresMilliseconds, nowMilliseconds < expires else { return [current] }
        return [current, previous]
    }
}
