import Channels
import Foundation
import Gateways
import NIOCore
import Store

extension Connection {
    /// Decodes one text frame, performs it and queues exactly one reply when it has an id
    /// (or an `error` frame when a frame without id fails). Refusals count toward the
    /// connection's ``AbuseMeter``.
    ///
    /// Replies go out in the order the frames came. A publish to a topic no actor owns is
    /// pipelined: it is only queued for its commit here, and its reply is queued from the
    /// commit loop, in commit order; any other frame waits until the publishes before it
    /// are answered.
    func handle(_ text: String) async {
        guard text.utf8.count <= hub.configuration.maxMessageBytes else {
            await refuseInOrder(
                id: ClientFrame.id(of: text), .tooLarge("frames are limited to \(hub.configuration.maxMessageBytes) bytes"))
            return
        }
        let frame: ClientFrame
        switch ClientFrame.parse(text) {
        case .success(let parsed): frame = parsed
        case .failure(let rejection):
            await refuseInOrder(id: rejection.id, rejection.error)
            return
        }
        if case .publish(let topic, let name, let data, let key, let audience) = frame.operation, HubContext.isDirect(topic) {
            await pipelinePublish(topic, name: name, data: data, key: key, audience: audience, id: frame.id)
            return
        }
        await publishes.settled()
        // The connection may have closed meanwhile (slow consumer, expiry, abuse, shutdown):
        // then, as for the frames still pending, nothing more is performed.
        guard !queue.isClosing else { return }
        if Self.isThrottled(frame.operation), let refusal = throttle() {
            refuse(id: frame.id, refusal, strike: .rateLimited)
            return
        }
        do {
            if let result = try await perform(frame) {
                if let id = frame.id { queue.enqueue(ServerFrames.reply(id: id, result: result)) }
            }
        } catch {
            refuse(id: frame.id, error)
        }
    }

    /// Refuses a frame once the publishes before it are answered, so replies keep the order
    /// of the frames; nothing is sent once the connection is closing.
    func refuseInOrder(id: JSONValue?, _ error: HubError, strike: AbuseMeter.Cause? = nil) async {
        await publishes.settled()
        guard !queue.isClosing else { return }
        refuse(id: id, error, strike: strike)
    }

    /// Answers a refused frame, then counts the refusal toward `strike` (by default the
    /// cause the error names, if any): past the threshold the connection is closed with
    /// that cause's code, after the refusal, so the client learns why.
    private func refuse(id: JSONValue?, _ error: HubError, strike: AbuseMeter.Cause? = nil) {
        queue.enqueue(ServerFrames.failure(id: id, error: error))
        if let cause = strike ?? AbuseMeter.Cause(refusal: error) { recordAbuse(cause) }
    }

    /// Whether `operation` spends a token of the connection's rate limit: publishes and commands.
    private static func isThrottled(_ operation: ClientFrame.Operation) -> Bool {
        switch operation {
        case .publish, .command: true
        default: false
        }
    }

    /// Counts one refusal for `cause`; past the threshold, closes with its code.
    private func recordAbuse(_ cause: AbuseMeter.Cause) {
        let now = ContinuousClock.now
        guard state.withLock({ $0.abuse.record(cause, now: now) }) else { return }
        let disconnect = cause.disconnect
        self.disconnect(code: disconnect.code, reason: disconnect.reason, reconnect: disconnect.reconnect)
    }

    /// Performs an operation; returns the result JSON, or nil when the reply was already
    /// queued (subscribe queues its own, ahead of live events).
    private func perform(_ frame: ClientFrame) async throws(HubError) -> String? {
        switch frame.operation {
        case .ping:
            return "{}"
        case .subscribe(let topic, let since):
            try await hub.authorizeReading(principal, topic)
            try await subscribe(topic, since: since, id: frame.id)
            return nil
        case .unsubscribe(let topic):
            if state.withLock({ $0.subscriptions.remove(topic) }) != nil {
                hub.topics.unsubscribe(id, from: topic)
            }
            return "{}"
        case .publish(let topic, let name, let data, let key, let audience):
            // Only publishes that an actor takes get here; the others are pipelined (handle).
            let event = try await hub.publish(topic, name: name, data: data, key: key, audience: audience, by: principal).event
            return Self.publishResult(event)
        case .history(let topic, let since, let limit):
            try await hub.authorizeReading(principal, topic)
            do {
                let (position, events) = try await hub.topics.history(
                    of: topic, since: since, limit: limit, includingStaffEvents: principal.isStaff)
                return ServerFrames.positionResult(position, events: events)
            } catch {
                throw HubError(error)
            }
        case .presence(let topic):
            let policy = try await hub.authorizeReading(principal, topic)
            guard policy.presence else { throw .badRequest("presence is off for namespace \(topic.namespace)") }
            return ServerFrames.presenceResult(hub.topics.presence(of: topic))
        case .command(let target, let name, let args):
            guard let topic = TopicName(target) else { throw .badRequest("target must be a topic name such as ticket:T-1") }
            switch topic.namespace {
            case "ticket": return try await TicketCommands(support: hub.support).perform(ticket: topic.id, name: name, args: args, by: principal)
            case "chat": return try await ChatCommands(chats: hub.chats).perform(chat: topic.id, name: name, args: args, by: principal)
            case "inbox": return try await InboxCommands(inboxes: hub.inboxes).perform(inbox: topic.id, name: name, args: args, by: principal)
            default: throw .notFound("no actor handles \(target.prefix(64))")
            }
        case .auth(let token):
            let authentication = try await hub.authenticator.authenticate(token)
            try await reauthenticate(authentication)
            let expires = authentication.expires.map { JSONText.quoted(JSONText.timestamp(milliseconds: Int64($0.timeIntervalSince1970 * 1000))) }
            return "{\"expires\":\(expires ?? "null")}"
        }
    }

    /// Starts a publish to a topic no actor owns without waiting for its commit: checks
    /// access, then the rate limit, then waits for one of the connection's places for
    /// publishes in flight and queues the event; its reply (or the commit's failure) is
    /// queued from the commit loop. Publishes started one after another commit in that order.
    /// A refusal waits for the publishes before it (``refuseInOrder(id:_:strike:)``).
    private func pipelinePublish(
        _ topic: TopicName, name: String, data: String, key: String?, audience: EventAudience, id: JSONValue?
    ) async {
        do throws(HubError) {
            try hub.authorize(\.publish, principal, topic, audience: audience)
        } catch {
            await refuseInOrder(id: id, error)
            return
        }
        if let refusal = throttle() {
            await refuseInOrder(id: id, refusal, strike: .rateLimited)
            return
        }
        await publishes.reserve()
        guard !queue.isClosing else {  // closed while waiting for a place: nothing more is performed
            publishes.release()
            return
        }
        do throws(HubError) {
            try hub.startPublish(topic, name: name, data: data, key: key, audience: audience) { [self] result in
                switch result {
                case .success(let outcome):
                    if let id { queue.enqueue(ServerFrames.reply(id: id, result: Self.publishResult(outcome.event))) }
                case .failure(let error):
                    refuse(id: id, error)
                }
                publishes.release()
            }
        } catch {
            publishes.release()
            await refuseInOrder(id: id, error)
        }
    }

    /// A publish's reply: the event's position.
    private static func publishResult(_ event: StoredEvent) -> String {
        "{\"offset\":\(event.offset),\"epoch\":\(JSONText.quoted(event.epoch))}"
    }

    /// Replaces the connection's token: same subject only; the new roles set the rate
    /// limit and the expiry, and subscriptions the new token no longer allows are ended.
    private func reauthenticate(_ authentication: Authentication) async throws(HubError) {
        let principal = authentication.principal
        let limit = HubConfiguration.limit(for: principal.roles, in: hub.configuration.socketLimits)
        let subscriptions = try state.withLock { state throws(HubError) in
            guard principal.subject == state.authentication.principal.subject else {
                throw .forbidden("a replacement token must have the same subject")
            }
            state.authentication = authentication
            if state.bucket?.limit != limit { state.bucket = limit.map { TokenBucket($0, now: .now) } }
            return state.subscriptions
        }
        scheduleExpiry()
        for topic in subscriptions where (try? await hub.authorizeReading(principal, topic)) == nil {
            _ = state.withLock { $0.subscriptions.remove(topic) }
            hub.topics.unsubscribe(id, from: topic, reason: "the new token does not allow this topic")
        }
    }

    private func subscribe(_ topic: TopicName, since: TopicPosition?, id replyID: JSONValue?) async throws(HubError) {
        try state.withLock { state throws(HubError) in
            guard !state.subscriptions.contains(topic) else { throw .conflict("already subscribed to \(topic)") }
            guard state.subscriptions.count < hub.configuration.maxSubscriptionsPerConnection else {
                throw .rateLimited("at most \(hub.configuration.maxSubscriptionsPerConnection) subscriptions per connection")
            }
            state.subscriptions.insert(topic)
        }
        do {
            _ = try await hub.topics.subscribe(subscriber, to: topic, since: since) { result in
                replyID.map { ServerFrames.reply(id: $0, result: ServerFrames.subscribeResult(topic: topic, result)) }
            }
        } catch {
            _ = state.withLock { $0.subscriptions.remove(topic) }
            throw HubError(error)
        }
    }

    /// Spends a token of the connection's bucket; returns the refusal when it is empty (to be
    /// answered, then counted as a 4029 strike).
    private func throttle() -> HubError? {
        let now = ContinuousClock.now
        guard let wait = state.withLock({ $0.bucket?.take(now: now) }) else { return nil }
        return .rateLimited("too many requests", retryAfter: Int(wait.rounded(.up)))
    }
}
