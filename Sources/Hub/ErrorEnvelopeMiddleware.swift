import Hummingbird
import Logging
import NIOCore

/// Turns every error a route throws into the REST error envelope with a stable code;
/// unexpected errors are logged and answered `internal`, never with their text.
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HubError {
            throw error
        } catch let error as HTTPError {
            throw Self.translate(error)
        } catch is NIOTooManyBytesError {
            throw HubError.tooLarge("the body is too large")
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "sb.path": "\(request.uri.path)"])
            throw HubError.internal
        }
    }

    private static func translate(_ error: HTTPError) -> HubError {
        let message = error.body ?? error.status.reasonPhrase
        switch error.status {
        case .notFound: return .notFound("no route for this path")
        case .methodNotAllowed, .notAcceptable: return .notFound("no route for this method and path")
        case .contentTooLarge: return .tooLarge("the body is too large")
        case .unauthorized: return .unauthorized()
        case .tooManyRequests: return .rateLimited(message)
        case .serviceUnavailable: return .unavailable(message)
        default: return error.status.code < 500 ? .badRequest(message) : .internal
        }
    }
}
