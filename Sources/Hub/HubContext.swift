import Actors
import Channels
import Gateways
import Logging
import Store

/// What every connection and route works with; built once by ``HubServer``.
struct HubContext: Sendable {
    var configuration: HubConfiguration
    var store: any EventStore
    var topics: Topics
    var authenticator: Authenticator
    var connections: ConnectionRegistry
    var restLimiter: RESTRateLimiter
    var webhooks: WebhookEndpoints
    var support: SupportDesk
    var chats: ChatDesk
    var knowledgeBase: KnowledgeBase
    var notifications: NotificationCenter
    var inboxes: Inboxes
    var unsubscribeLinks: UnsubscribeLinks
    var logger: Logger
}

extension HubContext {
    /// Checks a namespace rule (`\.subscribe` or `\.publish`) for `principal` on `topic`,
    /// and that only staff publish staff-only events; returns the namespace's policy.
    @discardableResult
    func authorize(
        _ rule: KeyPath<NamespacePolicy, AccessRule>, _ principal: Principal, _ topic: TopicName,
        audience: EventAudience = .everyone
    ) throws(HubError) -> NamespacePolicy {
        if audience == .staff, !principal.isStaff { throw .forbidden("only staff publish staff-only events") }
        let policy: NamespacePolicy
        do {
            policy = try topics.policy(for: topic)
        } catch {
            throw HubError(error)
        }
        guard policy[keyPath: rule].allows(principal, on: topic) else { throw .forbidden("not allowed on \(topic)") }
        // A queue's stream is for those who work the queue (an agent's `queues` claim).
        if topic.namespace == "tickets", !principal.works(queue: topic.id) {
            throw .forbidden("queue \(topic.id) is not one of yours")
        }
        return policy
    }

    /// Checks that `principal` may read `topic` (subscribe, history, presence) and returns
    /// the namespace's policy. Chat and ticket topics add the entity's own rule: a customer
    /// reaches the chats and tickets that are theirs (or that a `topics` claim grants), an
    /// agent with a `queues` claim those of its queues; others go by the namespace rule.
    @discardableResult
    func authorizeReading(_ principal: Principal, _ topic: TopicName) async throws(HubError) -> NamespacePolicy {
        guard topic.namespace == "chat" || topic.namespace == "ticket" else { return try authorize(\.subscribe, principal, topic) }
        if principal.workedQueues == nil, let policy = try? authorize(\.subscribe, principal, topic) { return policy }
        do throws(EntityError) {
            if topic.namespace == "chat" {
                _ = try await chats.chat(topic.id, for: principal)
            } else {
                _ = try await support.ticket(topic.id, for: principal)
            }
        } catch {
            throw HubError(error)
        }
        do {
            return try topics.policy(for: topic)
        } catch {
            throw HubError(error)
        }
    }
}
