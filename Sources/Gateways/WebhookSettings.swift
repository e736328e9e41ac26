/// How webhooks are delivered; built from the hub's configuration.
public struct WebhookSettings: Sendable {
    /// Delays between attempts; the Standard Webhooks schedule by default.
    public var retrySchedule: RetrySchedule
    /// Which addresses a webhook URL may reach: public ones, plus these allowed ranges.
    public var addressPolicy: AddressPolicy
    /// Connect and request timeout of each attempt.
    public var timeout: Duration
    /// How long the previous secret keeps signing after a rotation.
    public var secretOverlap: Duration
    /// An endpoint whose attempts have all failed for this long is disabled.
    public var disableAfter: Duration
    /// Attempts in flight at once, over all endpoints.
    public var maxConcurrentDeliveries: Int
    /// Attempts in flight at once to one endpoint, so a slow one cannot take every slot.
    public var maxConcurrentPerEndpoint: Int
    /// The most bytes of a response body read (the rest is dropped).
    public var maxResponseBytes: Int
    /// Delivered and failed messages are kept this long for inspection and replay.
    public var retention: Duration

    /// Creates settings; every default is what production should run with.
    public init(
        retrySchedule: RetrySchedule = .standard, addressPolicy: AddressPolicy = AddressPolicy(),
        timeout: Duration = .seconds(15), secretOverlap: Duration = .seconds(24 * 3600),
        disableAfter: Duration = .seconds(5 * 24 * 3600), maxConcurrentDeliveries: Int = 512,
        maxConcurrentPerEndpoint: Int = 64, maxResponseBytes: Int = 4096, retention: Duration = .seconds(7 * 24 * 3600)
    ) {
        self.retrySchedule = retrySchedule
        self.addressPolicy = addressPolicy
        self.timeout = timeout
        self.secretOverlap = secretOverlap
        self.disableAfter = disableAfter
        self.maxConcurrentDeliveries = maxConcurrentDeliveries
        self.maxConcurrentPerEndpoint = maxConcurrentPerEndpoint
        self.maxResponseBytes = maxResponseBytes
        self.retention = retention
    }
}
