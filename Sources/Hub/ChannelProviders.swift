import Actors

/// Settings of one HTTP provider of a notification channel, as the config file gives them.
public protocol ProviderSettings: Sendable, Codable, Equatable {
    /// The channel its providers serve.
    static var channel: NotificationChannelKind { get }
    /// The channel's provider that sends through it; throws for unusable settings.
    func makeSender() throws(HubError) -> any NotificationSender
}

/// A channel's providers (the `sms` and `push` objects of the config file): tried in order,
/// each paced and watched as `tuning` says, and named `{channel}1`, `{channel}2`, ... in
/// attempt records. With none, the channel's deliveries are skipped as `channel_unavailable`.
public struct ChannelProviders<Settings: ProviderSettings>: Sendable, Codable {
    /// The providers, in order of preference; none by default.
    public var providers: [Settings] = []
    /// Each provider's rate limit and circuit breaker (`rateLimit`, `breaker`).
    public var tuning = ProviderTuning()

    /// No providers.
    public init() {}

    private enum CodingKeys: String, CodingKey { case providers }

    /// Decodes the object; keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        providers = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([Settings].self, forKey: .providers) ?? []
        tuning = try ProviderTuning(from: decoder)
    }

    /// The channel, or nil with no provider; throws for unusable settings.
    func makeChannel() throws(HubError) -> NotificationChannel? {
        guard !providers.isEmpty else { return nil }
        var channel: [ChannelProvider] = []
        for (index, settings) in providers.enumerated() {
            channel.append(tuning.provider("\(Settings.channel.rawValue)\(index + 1)", try settings.makeSender()))
        }
        return NotificationChannel(kind: Settings.channel, providers: channel)
    }
}
