import Actors
import Gateways

/// How each provider of a notification channel is paced and when it is taken out of
/// rotation: the `rateLimit` and `breaker` keys of the `email`, `sms` and `push` objects.
public struct ProviderTuning: Sendable, Codable, Equatable {
    /// Sends per second each provider is given; none by default.
    public var rateLimit: RateLimit?
    /// Transient failures in a row before a provider is skipped (default 5), and for how
    /// long (default 30 s) until one send probes it again.
    public var breaker = CircuitBreaker.Policy()

    /// No limit, the default breaker.
    public init() {}

    private enum CodingKeys: String, CodingKey { case rateLimit, breaker }

    /// Decodes the tuning from the channel's object; keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rateLimit = try container.decodeIfPresent(RateLimit.self, forKey: .rateLimit)
        if let rateLimit, !rateLimit.isUsable {
            throw DecodingError.dataCorruptedError(
                forKey: .rateLimit, in: container, debugDescription: "rateLimit needs perSecond above 0 and burst of at least 1")
        }
        breaker = try container.decodeIfPresent(CircuitBreaker.Policy.self, forKey: .breaker) ?? .init()
    }

    /// `sender` as a channel provider named `name`, tuned by this.
    func provider(_ name: String, _ sender: any NotificationSender) -> ChannelProvider {
        ChannelProvider(name: name, sender: sender, rateLimit: rateLimit, breaker: breaker)
    }
}
