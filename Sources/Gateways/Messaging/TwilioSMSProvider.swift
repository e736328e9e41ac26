import AsyncHTTPClient
import Foundation
import NIOCore

/// An ``SMSProvider`` over a Twilio-style API: `POST {baseURL}/2010-04-01/Accounts/{sid}/Messages.json`
/// with the form `To`, `From`, `Body` (UTF-8, form-encoded) and HTTP Basic `sid:token`.
///
/// Outcomes: 2xx with a `sid` sent, and the sid returned (a 2xx without one is
/// `messaging_rejected`, never retried, since the message may have gone out); 429 and 5xx
/// `messaging_deferred`; 400 with Twilio error 21211 or 21614 (invalid or unreachable
/// number) `messaging_invalid_recipient`; any other status `messaging_rejected`; no answer
/// within the timeout `messaging_timeout`; no connection `messaging_connection_failed`.
/// Answers are read up to 64 KiB.
public struct TwilioSMSProvider: SMSProvider {
    private let settings: TwilioSMSSettings
    private let client: HTTPClient
    private let authorization: String

    /// Creates a provider; `client` defaults to the process-wide shared client.
    public init(settings: TwilioSMSSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
        self.authorization = "Basic " + Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
    }

    /// Checks `message`, posts it, and returns Twilio's `sid` once the API answered 2xx;
    /// throws as the type's outcomes list says. Waits at most the settings' timeout.
    public func send(_ message: SMSMessage) async throws(MessagingError) -> String {
        try message.validate()
        var request = HTTPClientRequest(url: settings.messagesURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "User-Agent", value: "Switchboard-SMS/1")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded([("To", message.to), ("From", settings.from), ("Body", message.text)])))
        let answer: ProviderAnswer
        do throws(ProviderAnswer.Failure) {
            answer = try await ProviderAnswer.fetch(request, via: client, timeout: settings.timeout)
        } catch {
            throw .noAnswer(error, from: "the SMS API", within: settings.timeout)
        }
        let reply = try? JSONDecoder().decode(Reply.self, from: Data(answer.body.readableBytesView))
        let status = answer.status
        let answered = "the SMS API answered \(status)" + (reply?.code.map { " (Twilio error \($0))" } ?? "")
        switch status {
        case 200..<300:
            guard let sid = reply?.sid, !sid.isEmpty else { throw .rejected(answered + " without a message sid", status: status) }
            return sid
        case 429, 500...:
            throw .deferred(answered, status: status)
        case 400 where reply?.code.map(Self.invalidNumberCodes.contains) ?? false:
            throw .invalidRecipient(answered + ": the number is invalid or cannot receive SMS", status: status)
        default:
            throw .rejected(answered, status: status)
        }
    }

    /// Twilio's codes for a `To` that is not a valid phone number (21211) or not a mobile
    /// number (21614).
    private static let invalidNumberCodes: Set<Int> = [21211, 21614]

    /// The fields of an answer this provider reads: `sid` on success, the numeric `code` of
    /// an error.
    private struct Reply: Decodable {
        var sid: String?
        var code: Int?
    }

    /// `application/x-www-form-urlencoded` as the WHATWG URL standard serializes it: UTF-8,
    /// ASCII letters, digits and `*-._` kept, space as `+`, every other byte `%XX`.
    private static func formEncoded(_ fields: [(name: String, value: String)]) -> String {
        fields.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                encoded += "+"
            default:
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
