/// An error from the outbound side (webhook URLs, secrets, keys, schedules), with a stable
/// snake_case code and a message that is safe to show an API client: it never carries
/// system or library error text.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidURL = "invalid_url"
        case forbiddenAddress = "forbidden_address"
        case unresolvableHost = "unresolvable_host"
        case invalidSecret = "invalid_secret"
        case invalidKey = "invalid_key"
        case cryptoFailure = "crypto_failure"
        case invalidSchedule = "invalid_schedule"
    }

    private let _code: Code
    /// A human-readable explanation, safe to show an API client.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self._code = code
        self.message = message
    }

    /// The stable wire code, e.g. `forbidden_address`.
    public var code: String { _code.rawValue }
    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }

    /// A webhook URL that is malformed, not http(s), lacks a host or carries user info;
    /// also a bad entry in the address allow list.
    public static func invalidURL(_ message: String) -> GatewayError { GatewayError(.invalidURL, message) }
    /// A webhook host that resolves to an internal address outside the allow list.
    public static func forbiddenAddress(_ message: String) -> GatewayError { GatewayError(.forbiddenAddress, message) }
    /// A webhook host that does not resolve, or resolves to nothing.
    public static func unresolvableHost(_ message: String) -> GatewayError { GatewayError(.unresolvableHost, message) }
    /// A webhook secret that is not `whsec_` + base64 of 24...64 bytes.
    public static func invalidSecret(_ message: String) -> GatewayError { GatewayError(.invalidSecret, message) }
    /// An encryption key that is missing, malformed or of the wrong size.
    public static func invalidKey(_ message: String) -> GatewayError { GatewayError(.invalidKey, message) }
    /// Sealing failed, or a sealed value was tampered with or sealed under another key.
    public static func cryptoFailure(_ message: String) -> GatewayError { GatewayError(.cryptoFailure, message) }
    /// A retry schedule that is empty or does not parse.
    public static func invalidSchedule(_ message: String) -> GatewayError { GatewayError(.invalidSchedule, message) }
}
