import Store
import Synchronization

/// The dispatcher's ``DeliveryTarget`` per endpoint, so URL parsing, AES-GCM opening and
/// HMAC keying happen once per endpoint version rather than once per attempt.
///
/// An entry is used only while the delivery's endpoint record (read with its due messages)
/// still has the URL and secrets it was made from; an update or a rotation replaces it at
/// the next attempt. Entries of endpoints that are deleted or disabled are dropped when the
/// dispatcher refreshes its endpoint list, so the cache never outgrows the enabled endpoints.
final class DeliveryTargets: Sendable {
    private let endpoints: WebhookEndpoints
    private let targets = Mutex<[String: DeliveryTarget]>([:])

    init(endpoints: WebhookEndpoints) {
        self.endpoints = endpoints
    }

    /// The target of `endpoint` as the record stands; made (outside the lock) when missing
    /// or stale. Throws when the URL is invalid or a secret cannot be opened.
    func target(for endpoint: WebhookEndpointRecord) throws(GatewayError) -> DeliveryTarget {
        if let cached = targets.withLock({ $0[endpoint.id] }), cached.matches(endpoint) { return cached }
        let target = try DeliveryTarget(endpoint, endpoints: endpoints)
        targets.withLock { $0[endpoint.id] = target }
        return target
    }

    /// Drops the targets of endpoints not in `enabled`.
    func keepOnly(_ enabled: Set<String>) {
        targets.withLock { targets in
            targets = targets.filter { enabled.contains($0.key) }
        }
    }
}
