import Channels

/// Why a command to an entity was refused, with the stable wire code it maps to.
public struct EntityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code clients see: `bad_request`, `not_found`, `conflict`, `forbidden`, `unavailable`.
    public let code: String
    /// A message safe to show a client.
    public let message: String

    private init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The input is not acceptable.
    public static func invalid(_ message: String) -> EntityError { EntityError(code: "bad_request", message: message) }
    /// There is no such entity.
    public static func notFound(_ message: String) -> EntityError { EntityError(code: "not_found", message: message) }
    /// The entity's state does not allow it.
    public static func conflict(_ message: String) -> EntityError { EntityError(code: "conflict", message: message) }
    /// The caller may not do it.
    public static func forbidden(_ message: String) -> EntityError { EntityError(code: "forbidden", message: message) }

    /// Storage failed; the command may be retried.
    public static func unavailable(_ message: String) -> EntityError { EntityError(code: "unavailable", message: message) }

    /// A topic operation failed.
    public init(_ error: ChannelError) {
        self.init(code: error.code, message: error.message)
    }

    public var description: String { "\(code): \(message)" }
}
