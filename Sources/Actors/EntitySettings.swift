/// How an ``EntityRegistry`` keeps its entities.
public struct EntitySettings: Sendable {
    /// The most entities alive at once; beyond it the least recently used idle ones are
    /// passivated (snapshot, then dropped).
    public var maxLive: Int
    /// An entity unused this long is passivated.
    public var idleTimeout: Duration
    /// A snapshot is taken every this many events (and on passivation).
    public var snapshotEvery: Int
    /// How often due timers are looked for.
    public var timerPollInterval: Duration

    /// Creates settings.
    public init(
        maxLive: Int = 10_000, idleTimeout: Duration = .seconds(300), snapshotEvery: Int = 100,
        timerPollInterval: Duration = .milliseconds(250)
    ) {
        self.maxLive = max(1, maxLive)
        self.idleTimeout = idleTimeout
        self.snapshotEvery = max(1, snapshotEvery)
        self.timerPollInterval = timerPollInterval
    }
}
