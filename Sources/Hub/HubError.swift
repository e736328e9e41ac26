import Actors
import Channels
import HTTPTypes
import Hummingbird
import Store

/// An error a client sees: a stable code from the protocol's list, a message without
/// internals, and the HTTP status it maps to on the REST side.
public struct HubError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case badRequest = "bad_request"
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case conflict
        case rateLimited = "rate_limited"
        case tooLarge = "too_large"
        case unavailable
        case `internal`
    }

    private let _code: Code
    /// The HTTP status on the REST side.
    public let status: HTTPResponse.Status
    /// A message safe to show the client.
    public let message: String
    /// Seconds to wait before retrying, for `rate_limited`.
    public let retryAfterSeconds: Int?

    private init(_ code: Code, _ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self._code = code
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfter
    }

    /// The stable wire code.
    public var code: String { _code.rawValue }
    public var description: String { "\(code): \(message)" }

    /// Malformed input: 400.
    public static func badRequest(_ message: String) -> HubError { HubError(.badRequest, .badRequest, message) }
    /// Well-formed input that fails validation: 422, code `bad_request`.
    public static func invalid(_ message: String) -> HubError { HubError(.badRequest, .unprocessableContent, message) }
    /// No valid credentials: 401.
    public static func unauthorized(_ message: String = "a valid token is required") -> HubError {
        HubError(.unauthorized, .unauthorized, message)
    }
    /// Valid credentials without the right: 403.
    public static func forbidden(_ message: String) -> HubError { HubError(.forbidden, .forbidden, message) }
    /// 404.
    public static func notFound(_ message: String) -> HubError { HubError(.notFound, .notFound, message) }
    /// 409.
    public static func conflict(_ message: String) -> HubError { HubError(.conflict, .conflict, message) }
    /// 429 with `Retry-After`.
    public static func rateLimited(_ message: String, retryAfter: Int = 1) -> HubError {
        HubError(.rateLimited, .tooManyRequests, message, retryAfter: retryAfter)
    }
    /// 413.
    public static func tooLarge(_ message: String) -> HubError { HubError(.tooLarge, .contentTooLarge, message) }
    /// 503.
    public static func unavailable(_ message: String) -> HubError { HubError(.unavailable, .serviceUnavailable, message) }
    /// 500; the cause is logged, never sent.
    public static let `internal` = HubError(.internal, .internalServerError, "internal error")

    /// The `{"code":...,"message":...}` object.
    var json: String { "{\"code\":\"\(code)\",\"message\":\(JSONText.quoted(message))}" }

    /// The REST error envelope's body: `{"error":{"code","message"}}`.
    var envelope: String { "{\"error\":\(json)}" }

    init(_ error: EntityError) {
        switch error.code {
        case "not_found": self = .notFound(error.message)
        case "conflict": self = .conflict(error.message)
        case "forbidden": self = .forbidden(error.message)
        case "bad_request": self = .invalid(error.message)
        default: self = .unavailable(error.message)
        }
    }

    init(_ error: ChannelError) {
        switch error.code {
        case "not_found": self = .notFound(error.message)
        case "conflict": self = .conflict(error.message)
        default: self = .unavailable(error.message)
        }
    }
}

extension HubError: HTTPResponseError {
    /// The REST error envelope: `{"error":{"code","message"}}` with the matching status.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: envelope)))
    }
}
