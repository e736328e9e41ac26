import Foundation
import Gateways

/// One provider of a channel, as its ``NotificationChannel`` runs it.
public struct ChannelProvider: Sendable {
    /// Names the provider in attempt records and reasons, e.g. `smtp`.
    public var name: String
    /// Sends through it.
    public var sender: any NotificationSender
    /// Sends per second it is given; nil for no limit.
    public var rateLimit: RateLimit?
    /// When it is taken out of rotation.
    public var breaker: CircuitBreaker.Policy

    /// Creates a provider.
    public init(name: String, sender: any NotificationSender, rateLimit: RateLimit? = nil, breaker: CircuitBreaker.Policy = .init()) {
        self.name = name
        self.sender = sender
        self.rateLimit = rateLimit
        self.breaker = breaker
    }
}

/// One call to one provider: who, when, how long and what came of it.
public struct ProviderAttempt: Sendable, Equatable {
    /// The provider's name in its channel.
    public var provider: String
    /// When the call started, in milliseconds since 1970.
    public var startedMilliseconds: Int64
    /// How long it took.
    public var durationMilliseconds: Int64
    /// What it came to.
    public var result: SendResult
}

/// One notification channel (`email`, `sms`, ...) and its providers, tried in order: each
/// provider has a token bucket that paces sends to its rate and a circuit breaker that
/// takes it out of rotation after repeated transient failures. A transient failure fails
/// over to the next provider; a permanent one ends the send (another provider would refuse
/// the address too). Every provider call is returned as a ``ProviderAttempt`` to be recorded.
///
/// Concurrency: many sends run at once; the actor only guards the buckets and breakers,
/// never holding its state across a provider call. After waiting for its rate a send asks
/// the breaker again (it may have opened meanwhile).
public actor NotificationChannel {
    private struct Slot {
        let provider: ChannelProvider
        var bucket: TokenBucket?
        var breaker: CircuitBreaker
    }

    /// The channel.
    public nonisolated let kind: NotificationChannelKind
    /// The longest a send waits for its provider's rate limit before trying the next one.
    public nonisolated let maxRateWait: Duration
    /// The most sends at once: 256 for the hub's own channels (in-app, webhook), whose sends
    /// are store writes that share transactions; 64 for those that wait on a provider.
    public nonisolated let concurrency: Int
    private var slots: [Slot]

    /// Creates the channel over `providers`, in order of preference.
    public init(kind: NotificationChannelKind, providers: [ChannelProvider], maxRateWait: Duration = .seconds(1)) {
        self.kind = kind
        self.maxRateWait = maxRateWait
        self.concurrency = kind == .inApp || kind == .webhook ? 256 : 64
        let now = ContinuousClock.now
        self.slots = providers.map { Slot(provider: $0, bucket: $0.rateLimit.map { TokenBucket($0, now: now) }, breaker: CircuitBreaker($0.breaker)) }
    }

    /// Sends through the first provider that is up and takes it; the outcome and every
    /// provider call made on the way.
    public func send(
        _ message: RenderedNotification, to recipient: String, contacts: UserContacts?
    ) async -> (result: SendResult, attempts: [ProviderAttempt]) {
        var attempts: [ProviderAttempt] = []
        var reasons: [String] = []
        var soonest: Duration?
        for index in slots.indices {
            let name = slots[index].provider.name
            switch admit(index) {
            case .refused(let reason, let retryAfter):
                reasons.append("\(name): \(reason)")
                soonest = min(soonest ?? retryAfter, retryAfter)
                continue
            case .granted(let pace):
                if pace > .zero { try? await Task.sleep(for: pace) }
            }
            // The breaker may have opened while this send waited for its turn; this step is
            // also what lets a probe through.
            if let retryAfter = slots[index].breaker.admit(now: .now) {
                reasons.append("\(name): circuit open")
                soonest = min(soonest ?? retryAfter, retryAfter)
                continue
            }
            let started = Date()
            let result = await slots[index].provider.sender.send(message, to: recipient, contacts: contacts)
            attempts.append(ProviderAttempt(
                provider: name, startedMilliseconds: Int64(started.timeIntervalSince1970 * 1000),
                durationMilliseconds: Int64(-started.timeIntervalSinceNow * 1000), result: result))
            // State may have moved while the provider worked; the breaker's update is one step.
            guard case .transient(let reason) = result else {
                slots[index].breaker.recordSuccess()
                return (result, attempts)
            }
            slots[index].breaker.recordFailure(now: .now)
            reasons.append("\(name): \(reason)")
        }
        let reason = reasons.isEmpty ? "no provider for \(kind.rawValue)" : reasons.joined(separator: "; ")
        // Jitter, so a backlog deferred together does not return together.
        if attempts.isEmpty, let soonest { return (.deferred(reason, retryAfter: soonest + .milliseconds(Int.random(in: 0...250))), []) }
        return (.transient(reason), attempts)
    }

    private enum Admission {
        case granted(pace: Duration)
        case refused(String, retryAfter: Duration)
    }

    /// Whether provider `index` may be called now: its breaker first (looked at, not
    /// changed), then its rate (a refusal there takes nothing).
    private func admit(_ index: Int) -> Admission {
        let now = ContinuousClock.now
        if let retryAfter = slots[index].breaker.retryAfter(now: now) { return .refused("circuit open", retryAfter: retryAfter) }
        switch slots[index].bucket?.reserve(now: now, maxWait: maxRateWait) {
        case .refused(let retryAfter)?: return .refused("rate limited", retryAfter: retryAfter)
        case .granted(let pace)?: return .granted(pace: pace)
        case nil: return .granted(pace: .zero)
        }
    }
}
