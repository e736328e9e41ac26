import Crypto
import Foundation

/// One-click unsubscribe links for notification e-mail (RFC 8058): each names a user and a
/// category and carries an HMAC over both under a key derived from the hub's secret, so a
/// link opts out only the user it was made for and cannot be forged or edited. Links do not
/// expire: an old e-mail's link keeps working, as mail clients expect.
struct UnsubscribeLinks: Sendable {
    private let key: SymmetricKey
    /// Where recipients reach the hub, e.g. `https://hub.example.com`.
    let baseURL: String

    static let path = "/api/v1/notifications/unsubscribe"

    /// Whether mail clients will offer the links as one-click unsubscribe (RFC 8058 asks
    /// for https).
    var isOneClick: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// Links under `baseURL`; throws for a URL that is not http or https with a host and no
    /// query (every link would be broken, and every e-mail refused).
    init(secret: [UInt8], baseURL: String) throws(HubError) {
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased()), url.host?.isEmpty == false,
              url.query == nil, url.fragment == nil
        else { throw .badRequest("publicURL must be an http or https URL without a query, e.g. https://hub.example.com") }
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("switchboard unsubscribe links".utf8), outputByteCount: 32)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The link that opts `user` out of e-mail of `category`.
    func link(user: String, category: String) -> String {
        var components = URLComponents()
        components.queryItems = [
            URLQueryItem(name: "user", value: user), URLQueryItem(name: "category", value: category),
            URLQueryItem(name: "sig", value: signature(user: user, category: category)),
        ]
        // `+` is a space in a query; encode it (and the rest) for every mail client.
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return baseURL + Self.path + "?" + query
    }

    /// Whether `signature` is the one a link for `user` and `category` carries (constant time).
    func verify(user: String, category: String, signature: String) -> Bool {
        guard let given = Data(base64URLEncoded: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message(user, category), using: key)
    }

    private func signature(user: String, category: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: message(user, category), using: key)).base64URLEncodedString()
    }

    private func message(_ user: String, _ category: String) -> Data { Data("\(user)\u{0}\(category)".utf8) }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url, padded or not.
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
