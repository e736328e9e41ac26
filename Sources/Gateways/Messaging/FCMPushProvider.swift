import AsyncHTTPClient
import Foundation
import NIOCore

/// A ``PushProvider`` over an FCM HTTP v1-style API: `POST {baseURL}/v1/projects/{id}/messages:send`
/// with a bearer token and `{"message":{"token","notification":{"title","body"},"data"}}`
/// (`data` left out when empty).
///
/// Outcomes: 2xx with a `name` sent, and the name returned (a 2xx without one is
/// `messaging_rejected`, never retried, since the message may have gone out); 429 and 5xx
/// `messaging_deferred`; 404, or an error whose `details[].errorCode` is `UNREGISTERED` or
/// whose `status` is `NOT_FOUND`, `messaging_invalid_recipient` (the token is gone); any
/// other status `messaging_rejected`; no answer within the timeout `messaging_timeout`; no
/// connection `messaging_connection_failed`. Answers are read up to 64 KiB.
public struct FCMPushProvider: PushProvider {
    private let settings: FCMPushSettings
    private let client: HTTPClient

    /// Creates a provider; `client` defaults to the process-wide shared client.
    public init(settings: FCMPushSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    /// Checks `message`, posts it, and returns the message `name` once the API answered 2xx;
    /// throws as the type's outcomes list says. Waits at most the settings' timeout.
    public func send(_ message: PushMessage) async throws(MessagingError) -> String {
        try message.validate()
        var request = HTTPClientRequest(url: settings.sendURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
        request.headers.add(name: "Authorization", value: "Bearer " + settings.accessToken)
        request.headers.add(name: "User-Agent", value: "Switchboard-Push/1")
        do {
            request.body = .bytes(ByteBuffer(bytes: try Self.encoder.encode(Body(message))))
        } catch {
            throw .invalidMessage("the push message cannot be encoded as JSON")
        }
        let answer: ProviderAnswer
        do throws(ProviderAnswer.Failure) {
            answer = try await ProviderAnswer.fetch(request, via: client, timeout: settings.timeout)
        } catch {
            throw .noAnswer(error, from: "the push API", within: settings.timeout)
        }
        let reply = try? JSONDecoder().decode(Reply.self, from: Data(answer.body.readableBytesView))
        let status = answer.status
        let codes = (reply?.error?.details ?? []).compactMap(\.errorCode) + [reply?.error?.status].compactMap { $0 }
        let answered = "the push API answered \(status)" + (codes.first(where: Self.isShortCode).map { " (\($0))" } ?? "")
        switch status {
        case 200..<300:
            guard let name = reply?.name, !name.isEmpty else { throw .rejected(answered + " without a message name", status: status) }
            return name
        case 429, 500...:
            throw .deferred(answered, status: status)
        case _ where status == 404 || codes.contains("UNREGISTERED") || codes.contains("NOT_FOUND"):
            throw .invalidRecipient(answered + ": the device token is not registered", status: status)
        default:
            throw .rejected(answered, status: status)
        }
    }

    /// Whether a code from the answer is safe to quote: 1 to 40 of `A`–`Z` and `_`.
    private static func isShortCode(_ code: String) -> Bool {
        (1...40).contains(code.utf8.count) && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The request body, in the API's field names.
    private struct Body: Encodable {
        struct Notification: Encodable {
            var title: String
            var body: String
        }

        struct Message: Encodable {
            var token: String
            var notification: Notification
            var data: [String: String]?
        }

        var message: Message

        init(_ message: PushMessage) {
            self.message = Message(
                token: message.token, notification: Notification(title: message.title, body: message.text),
                data: message.data.isEmpty ? nil : message.data)
        }
    }

    /// The fields of an answer this provider reads: `name` on success; on failure the
    /// error's `status` and each detail's `errorCode`.
    private struct Reply: Decodable {
        struct Failure: Decodable {
            struct Detail: Decodable { var errorCode: String? }
            var status: String?
            var details: [Detail]?
        }

        var name: String?
        var error: Failure?
    }
}
