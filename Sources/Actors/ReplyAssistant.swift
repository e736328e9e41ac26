import Channels
import Gateways
import Logging
import Store

/// Helps an agent answer a chat: knowledge-base articles matching the customer's recent
/// messages and, when an assistant provider is configured, a drafted reply built from the
/// conversation and those articles.
///
/// Off by default: with no provider it returns the articles only. A slow or failing
/// provider also gives the articles only, with the reason; it never holds up the chat,
/// since the provider is called outside the chat's command gate and has its own timeout.
public final class ReplyAssistant: Sendable {
    private let knowledgeBase: KnowledgeBase
    private let drafter: (any ReplyDrafter)?
    private let topics: Topics
    private let logger: Logger

    /// The instructions that open every prompt.
    static let instructions = """
        You help a customer-support agent. Draft a short, friendly reply to the customer's last \
        message, using the knowledge-base articles below when they answer it. Do not invent \
        policies. Reply with the draft only.
        """

    /// Creates the assistant; `drafter` nil means articles only.
    public init(knowledgeBase: KnowledgeBase, drafter: (any ReplyDrafter)?, topics: Topics, logger: Logger) {
        self.knowledgeBase = knowledgeBase
        self.drafter = drafter
        self.topics = topics
        self.logger = logger
    }

    /// Articles and (with a provider) a draft for the chat on `topic`, from its last 20 messages.
    func assist(chat topic: TopicName) async throws(EntityError) -> ReplyAssist {
        let messages: [ChatSession.MessageCreated]
        do {
            messages = try await topics.history(of: topic, since: nil, limit: 500, includingStaffEvents: false).1
                .filter { $0.name == "message.created" }.suffix(20).compactMap { $0.payload(ChatSession.MessageCreated.self) }
        } catch {
            throw EntityError(error)
        }
        let asked = messages.filter { !$0.staff }.suffix(3).map(\.text).joined(separator: "\n")
        let articles = await knowledgeBase.suggestions(for: asked)
        guard let drafter, messages.contains(where: { !$0.staff }) else { return ReplyAssist(draft: nil, articles: articles, failure: nil) }
        var prompt = [AssistantMessage(role: "system", content: Self.instructions)]
        for match in articles {
            guard let article = try? await knowledgeBase.article(match.id) else { continue }
            prompt.append(AssistantMessage(role: "system", content: "Knowledge-base article \"\(article.title)\":\n" + article.body.prefix(4000)))
        }
        prompt += messages.map { AssistantMessage(role: $0.staff ? "assistant" : "user", content: $0.text) }
        do {
            return ReplyAssist(draft: try await drafter.draft(prompt), articles: articles, failure: nil)
        } catch {
            logger.warning("the assistant gave no draft", metadata: ["sb.chat": "\(topic)", "sb.error": "\(error)"])
            return ReplyAssist(draft: nil, articles: articles, failure: error)
        }
    }
}

/// What the assistant offers an agent.
public struct ReplyAssist: Sendable {
    /// The drafted reply, when a provider gave one.
    public var draft: String?
    /// Articles matching the customer's recent messages, best first.
    public var articles: [KnowledgeMatch]
    /// Why there is no draft although a provider is configured.
    public var failure: AssistantError?
}
