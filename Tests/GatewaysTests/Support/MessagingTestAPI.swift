import Foundation
@testable import Gateways

/// `messaging_api.py` (a fake Twilio-style SMS API and FCM-style push API) in a temporary
/// directory, with the requests it recorded.
struct MessagingTestAPI: Sendable {
    /// One recorded request.
    struct Request: Decodable, Sendable {
        var path: String
        var authorization: String?
        var content_type: String?
        /// The raw form for SMS; canonical JSON for pushes.
        var body: String
        /// The decoded form fields, for SMS.
        var form: [String: [String]]?
    }

    let child: PythonChild
    let directory: TemporaryDirectory

    /// Starts the API with the script's `options` (`--status`, `--fail-first`, …).
    static func start(_ options: [String] = []) async throws -> MessagingTestAPI {
        let directory = try TemporaryDirectory()
        do {
            let child = try await PythonChild.start("messaging_api.py", ["--record", directory.file("requests.jsonl")] + options)
            return MessagingTestAPI(child: child, directory: directory)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// `http://127.0.0.1:PORT/`.
    var baseURL: String { "http://127.0.0.1:\(child.port)/" }

    /// Every request so far, in order.
    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: directory.file("requests.jsonl")) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Request.self, from: Data($0)) }
    }

    /// Stops the API and removes its directory.
    func stop() {
        child.stop()
        directory.remove()
    }

    /// A base URL whose port nothing listens on: the port of an API that was started and
    /// then stopped.
    static func closedBaseURL() async throws -> String {
        let api = try await start()
        await api.child.stopAndWait()
        api.directory.remove()
        return api.baseURL
    }
}

/// The error `provider` throws for `message`, or nil when it was sent.
func failure(sending message: SMSMessage, via provider: some SMSProvider) async -> MessagingError? {
    do {
        _ = try await provider.send(message)
        return nil
    } catch {
        return error
    }
}

/// The error `provider` throws for `message`, or nil when it was sent.
func failure(sending message: PushMessage, via provider: some PushProvider) async -> MessagingError? {
    do {
        _ = try await provider.send(message)
        return nil
    } catch {
        return error
    }
}
