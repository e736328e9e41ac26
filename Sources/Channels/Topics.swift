import Logging
import Metrics
import NIOCore
import Store
import Synchronization

/// The topics of this hub: publishing through the group committer, subscriptions with
/// recovery, history, presence, and fan-out of committed events.
///
/// Concurrency model: a mutex-protected map of the topics that have subscribers; each
/// ``Topic`` guards its own subscribers. Fan-out runs on the committer's loop in commit
/// order, encodes each event once, and only enqueues: it never awaits a socket.
///
/// Memory: a topic is held in memory only while someone subscribes to it; history and
/// recovery read the store.
public final class Topics: Sendable {
    /// Told that a subscriber joined a topic's presence: the topic and the member.
    public typealias JoinHandler = @Sendable (TopicName, PresenceMember) -> Void

    /// A handler in a struct: a closure stored directly in a `Mutex` is re-wrapped in a
    /// thunk on every read.
    private struct Join: Sendable {
        let call: JoinHandler
    }

    private let store: any EventStore
    private let committer: GroupCommitter
    private let policies: [String: NamespacePolicy]
    private let maxRecoveredEvents: Int
    private let live = Mutex<[TopicName: Topic]>([:])
    private let joinHandlers = Mutex<[String: [Join]]>([:])
    /// Metrics per configured namespace, made once: fan-out must not look them up per event.
    private let metrics: [String: NamespaceMetrics]
    private let logger: Logger

    /// Creates the topics over a store and its committer, and installs fan-out as the
    /// committer's commit handler.
    /// - Parameter maxRecoveredEvents: the most events one subscribe may recover; a longer
    ///   gap answers `recovered: false`.
    public init(
        store: any EventStore, committer: GroupCommitter, policies: [String: NamespacePolicy],
        maxRecoveredEvents: Int = 10_000, logger: Logger = Logger(label: "switchboard.topics")
    ) {
        self.store = store
        self.committer = committer
        self.policies = policies
        self.maxRecoveredEvents = maxRecoveredEvents
        self.logger = logger
        self.metrics = policies.keys.reduce(into: [:]) { $0[$1] = NamespaceMetrics(namespace: $1) }
        committer.setCommitHandler { [weak self] outcomes in
            self?.deliver(outcomes.lazy.filter { !$0.isDuplicate }.map(\.event))
        }
    }

    /// Calls `handler` each time a subscriber of a topic in `namespace` goes live there with
    /// presence on (every subscription: a second connection of the same user, a reconnect),
    /// right after its join is announced, on the subscribing task (so it must only record or
    /// schedule work). Handlers added later see later joins only; a handler stays for the
    /// life of the topics (capture its owner weakly).
    public func onJoin(namespace: String, _ handler: @escaping JoinHandler) {
        joinHandlers.withLock { $0[namespace, default: []].append(Join(call: handler)) }
    }

    /// The policy of a topic's namespace.
    public func policy(for topic: TopicName) throws(ChannelError) -> NamespacePolicy {
        guard let policy = policies[topic.namespace] else { throw .unknownNamespace(topic.namespace) }
        return policy
    }

    /// Publishes an event and returns once it is committed. With a `key`, a repeat within
    /// the key's lifetime returns the first event and stores nothing. A `.staff` event
    /// reaches only subscribers and readers who see staff events.
    public func publish(
        to topic: TopicName, name: String, data: String, key: String?, audience: EventAudience = .everyone
    ) async throws(ChannelError) -> AppendOutcome {
        try await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendOutcome, ChannelError>, Never>) in
            do throws(ChannelError) {
                try startPublish(to: topic, name: name, data: data, key: key, audience: audience) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }.get()
    }

    /// Starts a publish and returns once the event is queued for commit, so publishes
    /// started one after another get offsets in that order; `completion` gets the outcome
    /// on the commit loop (it must not block), as ``publish(to:name:data:key:audience:)``
    /// would return it. A publish refused before it is queued (unknown namespace, the
    /// committer overloaded or closing) throws instead, and `completion` is not called.
    public func startPublish(
        to topic: TopicName, name: String, data: String, key: String?, audience: EventAudience = .everyone,
        completion: @escaping @Sendable (Result<AppendOutcome, ChannelError>) -> Void
    ) throws(ChannelError) {
        let policy = try policy(for: topic)
        let published = metrics[topic.namespace]?.published
        do throws(StoreError) {
            try committer.append(AppendRequest(
                topic: topic.rawValue, name: name, data: data, key: key, retainCount: policy.historySize, audience: audience)
            ) { result in
                if case .success(let outcome) = result, !outcome.isDuplicate { published?.increment() }
                completion(result.mapError(ChannelError.store))
            }
        } catch {
            throw .store(error)
        }
    }

    /// Subscribes a connection, recovering from `since` when given. `reply` builds the
    /// subscribe reply frame, which is queued before any live event of the topic.
    public func subscribe(
        _ subscriber: Subscriber, to name: TopicName, since: TopicPosition?,
        reply: (SubscribeResult) -> OutboundFrame?
    ) async throws(ChannelError) -> SubscribeResult {
        let policy = try policy(for: name)
        // Registered under the map's lock, so an unsubscribe cannot drop the topic between.
        let registered: Topic? = live.withLock { live in
            let topic = live[name] ?? Topic(name: name)
            live[name] = topic
            return topic.register(subscriber) ? topic : nil
        }
        guard let topic = registered else { throw .alreadySubscribed(name) }
        do {
            var result = try await recover(name, since: since)
            if !subscriber.seesStaffEvents { result.events.removeAll { $0.audience == .staff } }
            guard topic.activate(subscriber.id, after: result.position.offset, reply: reply(result)) else {
                return result
            }
            if policy.presence {
                topic.broadcast(ChannelFrames.presence(topic: name, joined: true, member: subscriber.member))
                for join in joinHandlers.withLock({ $0[name.namespace] ?? [] }) { join.call(name, subscriber.member) }
            }
            metrics[name.namespace]?.subscriptions.increment()
            return result
        } catch {
            unsubscribe(subscriber.id, from: name)
            throw .store(error)
        }
    }

    /// Ends a subscription; with `reason`, the subscriber is told with an `unsubscribed` frame.
    public func unsubscribe(_ id: UInt64, from name: TopicName, reason: String? = nil) {
        let removed: (Subscriber, Bool, Topic)? = live.withLock { live in
            guard let topic = live[name], let (subscriber, wasLive) = topic.remove(id) else { return nil }
            if topic.isEmpty { live[name] = nil }
            return (subscriber, wasLive, topic)
        }
        guard let (subscriber, wasLive, topic) = removed else { return }
        if let reason {
            subscriber.queue.enqueue(ChannelFrames.unsubscribed(topic: name, reason: reason))
            subscriber.ended(name)
        }
        // A subscriber that never went live was never counted or announced.
        guard wasLive else { return }
        metrics[name.namespace]?.subscriptions.decrement()
        if (try? policy(for: name))?.presence == true {
            topic.broadcast(ChannelFrames.presence(topic: name, joined: false, member: subscriber.member))
        }
    }

    /// Ends every subscription to a topic (a closed chat), telling each subscriber why
    /// with an `unsubscribed` frame. Later subscribes are not refused: that is the caller's rule.
    public func endSubscriptions(to name: TopicName, reason: String) {
        let ids = live.withLock { $0[name] }?.subscriberIDs ?? []
        for id in ids { unsubscribe(id, from: name, reason: reason) }
    }

    /// Sends an ephemeral `signal` frame (a typing indicator) to the live subscribers of a
    /// topic: never stored, no offset, not recovered, lost by whoever is not connected.
    /// `data` must be a JSON value.
    public func signal(to name: TopicName, name signal: String, data: String) {
        live.withLock { $0[name] }?.broadcast(ChannelFrames.signal(topic: name, name: signal, data: data))
    }

    /// Events of a topic, oldest first: those after `since` when given (from the start of
    /// history when its epoch is not the topic's; an empty epoch matches any), else the
    /// newest `limit`. Staff-only events are left out (so fewer than `limit` may come)
    /// unless `includingStaffEvents`.
    public func history(
        of name: TopicName, since: TopicPosition?, limit: Int, includingStaffEvents: Bool
    ) async throws(ChannelError) -> (TopicPosition, [StoredEvent]) {
        _ = try policy(for: name)
        do {
            let position = try await store.position(of: name.rawValue)
            var events: [StoredEvent]
            if let since {
                let after = since.epoch.isEmpty || since.epoch == position.epoch ? since.offset : 0
                events = try await store.events(of: name.rawValue, after: after, limit: limit)
            } else {
                events = try await store.latestEvents(of: name.rawValue, limit: limit)
            }
            if !includingStaffEvents { events.removeAll { $0.audience == .staff } }
            return (position, events)
        } catch {
            throw .store(error)
        }
    }

    /// The live subscribers of a topic.
    public func presence(of name: TopicName) -> [PresenceMember] {
        live.withLock { $0[name] }?.members ?? []
    }

    /// Hands committed events to the subscribers of their topics, in the order given.
    ///
    /// The group committer calls this after every commit; it is also the seam through
    /// which a cluster broker delivers events committed on other nodes.
    public func deliver<S: Sequence>(_ events: S) where S.Element == StoredEvent {
        for event in events {
            guard let name = TopicName(event.topic), let topic = live.withLock({ $0[name] }) else { continue }
            let delivered = topic.deliver(offset: event.offset, frame: ChannelFrames.event(event), audience: event.audience)
            metrics[name.namespace]?.delivered.increment(by: delivered)
        }
    }

    /// Reads what a subscriber missed since `since`, following the recovery rules of the
    /// protocol: same epoch (or offset 0), and every missed event still in history.
    private func recover(_ name: TopicName, since: TopicPosition?) async throws(StoreError) -> SubscribeResult {
        let position = try await store.position(of: name.rawValue)
        guard let since, since.offset >= 0, since.offset <= position.offset,
              since.offset == 0 || since.epoch == position.epoch
        else { return SubscribeResult(position: position, recovered: false, events: []) }
        if since.offset == position.offset {
            return SubscribeResult(position: position, recovered: true, events: [])
        }
        let events = try await store.events(of: name.rawValue, after: since.offset, limit: maxRecoveredEvents + 1)
        guard events.first?.offset == since.offset + 1, events.count <= maxRecoveredEvents,
              events.first?.epoch == position.epoch
        else { return SubscribeResult(position: position, recovered: false, events: []) }
        let last = events.last!
        return SubscribeResult(position: TopicPosition(epoch: last.epoch, offset: max(last.offset, position.offset)), recovered: true, events: events)
    }
}

/// The metrics of one namespace; labels come from the bounded set of namespaces, never a topic.
private struct NamespaceMetrics: Sendable {
    let published: Counter
    let delivered: Counter
    let subscriptions: Meter

    init(namespace: String) {
        let dimensions = [("namespace", namespace)]
        published = Counter(label: "switchboard_events_published_total", dimensions: dimensions)
        delivered = Counter(label: "switchboard_events_delivered_total", dimensions: dimensions)
        subscriptions = Meter(label: "switchboard_subscriptions", dimensions: dimensions)
    }
}
