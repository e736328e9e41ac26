import AsyncHTTPClient
import Foundation
import NIOCore

/// An ``EmailProvider`` over a SendGrid-style JSON API: `POST {baseURL}/v3/mail/send` with
/// one personalization holding every recipient, `from`, `subject`, `content` (text/plain,
/// then text/html when present), its `Message-ID` and the `List-Unsubscribe` headers.
///
/// Outcomes: 2xx sent (every recipient accepted); 429 and 5xx `email_deferred`; any other
/// status `email_rejected`; no answer within the timeout `email_timeout`; no connection
/// `email_connection_failed`. Answers are read up to 64 KiB and dropped.
public struct HTTPEmailProvider: EmailProvider {
    private let settings: HTTPEmailSettings
    private let client: HTTPClient

    /// Creates a provider; `client` defaults to the process-wide shared client.
    public init(settings: HTTPEmailSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    public func send(_ message: MailMessage) async throws(EmailError) -> EmailReceipt {
        try message.validate()
        var request = HTTPClientRequest(url: settings.sendURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer " + settings.apiKey)
        request.headers.add(name: "User-Agent", value: "Switchboard-Email/1")
        do {
            request.body = .bytes(ByteBuffer(bytes: try Self.encoder.encode(Body(message))))
        } catch {
            throw .invalidMessage("the message cannot be encoded as JSON")
        }
        let status: Int
        do throws(ProviderAnswer.Failure) {
            status = try await ProviderAnswer.fetch(request, via: client, timeout: settings.timeout).status
        } catch {
            switch error {
            case .timeout: throw .timeout("the e-mail API did not answer within \(settings.timeout)")
            case .connectionFailed: throw .connectionFailed("the e-mail API cannot be reached")
            case .cancelled: throw .cancelled
            }
        }
        switch status {
        case 200..<300:
            return EmailReceipt(messageID: message.messageID, recipients: message.envelopeRecipients.map { EmailRecipientResult(address: $0) })
        case 429, 500...:
            throw .deferred("the e-mail API answered \(status)", status: status)
        default:
            throw .rejected("the e-mail API answered \(status)", status: status)
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The request body, in the API's field names.
    private struct Body: Encodable {
        struct Address: Encodable {
            var email: String
            var name: String?
        }

        struct Personalization: Encodable { var to: [Address] }

        struct Content: Encodable {
            var type: String
            var value: String
        }

        var personalizations: [Personalization]
        var from: Address
        var subject: String
        var content: [Content]
        var headers: [String: String]

        init(_ message: MailMessage) {
            personalizations = [Personalization(to: message.to.map { Address(email: $0.address, name: $0.name) })]
            from = Address(email: message.from.address, name: message.from.name)
            subject = message.subject
            content = [Content(type: "text/plain", value: message.text)] + (message.html.map { [Content(type: "text/html", value: $0)] } ?? [])
            // The same Message-ID as over SMTP, so a failover or retry can be recognized.
            var headers = ["Message-ID": "<\(message.messageID)>"]
            if !message.listUnsubscribe.isEmpty {
                headers["List-Unsubscribe"] = message.listUnsubscribe.map { "<\($0)>" }.joined(separator: ", ")
                if message.hasOneClickUnsubscribe { headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click" }
            }
            self.headers = headers
        }
    }
}
