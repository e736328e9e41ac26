import AsyncHTTPClient
import Foundation
import NIOCore

/// Where the optional assistant lives: an OpenAI-compatible chat-completions API.
public struct AssistantSettings: Sendable, Equatable, Codable {
    /// The API's base URL, e.g. `https://api.openai.com/v1` (requests go to
    /// `{url}/chat/completions`); empty turns the assistant off (the default).
    public var url: String = ""
    /// The model name sent with each request.
    public var model: String = "gpt-4o-mini"
    /// A bearer token, when the API needs one.
    public var apiKey: String = ""
    /// Seconds a draft may take before it is given up (default 10).
    public var timeoutSeconds: Int = 10
    /// The most tokens of a draft (default 400).
    public var maxTokens: Int = 400

    /// The defaults: off.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case url, model, apiKey, timeoutSeconds, maxTokens
    }

    /// Decodes settings; keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AssistantSettings()
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? defaults.url
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? defaults.model
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey) ?? defaults.apiKey
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens) ?? defaults.maxTokens
    }

    /// Whether a provider is configured.
    public var isEnabled: Bool { !url.isEmpty }

    /// Refuses a configured URL that is not http(s), or a timeout or token budget below 1.
    public func validate() throws(GatewayError) {
        guard isEnabled else { return }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host != nil else {
            throw .invalidURL("assistant.url must be an http or https URL")
        }
        guard timeoutSeconds >= 1, maxTokens >= 1 else { throw .invalidURL("assistant.timeoutSeconds and maxTokens must be at least 1") }
    }
}

/// A ``ReplyDrafter`` over an OpenAI-compatible `POST /chat/completions`: the conversation
/// goes out as `messages`, the draft is `choices[0].message.content`. Requests time out
/// after the configured seconds; answers are read up to 1 MiB.
public struct ChatCompletionsDrafter: ReplyDrafter {
    private let settings: AssistantSettings
    private let client: HTTPClient

    /// Creates a drafter; `client` defaults to the process-wide shared client.
    public init(settings: AssistantSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    private struct Request: Encodable {
        var model: String
        var messages: [AssistantMessage]
        var max_tokens: Int
        var temperature: Double
    }

    private struct Answer: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }

        var choices: [Choice]
    }

    public func draft(_ messages: [AssistantMessage]) async throws(AssistantError) -> String {
        var request = HTTPClientRequest(url: settings.url.hasSuffix("/") ? settings.url + "chat/completions" : settings.url + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if !settings.apiKey.isEmpty { request.headers.add(name: "Authorization", value: "Bearer " + settings.apiKey) }
        do {
            let body = try JSONEncoder().encode(Request(model: settings.model, messages: messages, max_tokens: settings.maxTokens, temperature: 0.2))
            request.body = .bytes(ByteBuffer(bytes: body))
        } catch {
            throw .failed("cannot encode the request")
        }
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
            guard (200..<300).contains(response.status.code) else { throw AssistantError.failed("the assistant answered \(response.status.code)") }
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch let error as AssistantError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timeout(settings.timeoutSeconds)
        } catch {
            throw .failed("the assistant cannot be reached")
        }
        guard let decoded = try? JSONDecoder().decode(Answer.self, from: Data(answer.readableBytesView)),
              let draft = decoded.choices.first?.message.content?.trimmingCharacters(in: .whitespacesAndNewlines), !draft.isEmpty
        else { throw .invalidAnswer() }
        return draft
    }
}
