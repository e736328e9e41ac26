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
}
