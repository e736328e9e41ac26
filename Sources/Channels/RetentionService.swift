import Foundation
import Logging
import ServiceLifecycle
import AsyncAlgorithms
import Store

/// Trims history by age and forgets expired idempotency keys, once a minute.
/// Count bounds are enforced on every append; this covers the age bounds.
public struct RetentionService: Service {
    private let store: any EventStore
    private let policies: [String: NamespacePolicy]
    private let idempotencyWindowSeconds: Int
    private let interval: Duration
    private let logger: Logger

    /// Creates the service.
    /// - Parameter idempotencyWindowSeconds: how long publish keys are remembered (default 24 h).
    public init(
        store: any EventStore, policies: [String: NamespacePolicy], idempotencyWindowSeconds: Int = 24 * 3600,
        interval: Duration = .seconds(60), logger: Logger = Logger(label: "switchboard.retention")
    ) {
        self.store = store
        self.policies = policies
        self.idempotencyWindowSeconds = idempotencyWindowSeconds
        self.interval = interval
        self.logger = logger
    }

    /// Runs one pass, then one every interval, until graceful shutdown.
    public func run() async {
        await trimOnce()
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            await trimOnce()
        }
    }

    /// Applies every age bound once.
    public func trimOnce() async {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            for (namespace, policy) in policies {
                let trimmed = try await store.trimEvents(namespace: namespace, before: now - Int64(policy.historyAgeSeconds) * 1000)
                if trimmed > 0 { logger.debug("trimmed history", metadata: ["sb.namespace": "\(namespace)", "sb.count": "\(trimmed)"]) }
            }
            _ = try await store.expireIdempotencyKeys(before: now - Int64(idempotencyWindowSeconds) * 1000)
        } catch {
            logger.warning("retention pass failed", metadata: ["error": "\(error)"])
        }
    }
}
