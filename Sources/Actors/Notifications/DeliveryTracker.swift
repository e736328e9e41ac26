import Store
import Synchronization

/// Which deliveries the dispatcher is sending now, per channel, and which it finished
/// lately: what keeps a delivery from going out twice while its row still reads `queued`.
///
/// Two windows need guarding. While a send is in flight its row is still queued, so every
/// read returns it: ``claim(_:of:readStart:limit:)`` passes over ids in flight. And a read
/// that began before a send's outcome was stored may still see the row as queued after the
/// send was released: ids settled at or after the read's start are passed over too. Entries
/// settled before a read starts are forgotten then, since that read (and every later one)
/// sees their stored outcome; so the map holds only what finished during one read.
///
/// - Important: Reads must not overlap: forgetting at a read's start is right only when no
///   earlier read is still under way (the dispatcher reads from one loop).
final class DeliveryTracker: Sendable {
    private struct State {
        var inFlight: [NotificationChannelKind: Set<Int64>] = [:]
        var settled: [Int64: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    /// How many of `channel`'s deliveries are in flight.
    func busy(_ channel: NotificationChannelKind) -> Int {
        state.withLock { $0.inFlight[channel, default: []].count }
    }

    /// Takes the `rows` a read begun at `readStart` returned that are neither in flight nor
    /// settled since, while fewer than `limit` of the channel's are in flight; marks them in flight.
    func claim(
        _ rows: [DeliveryRecord], of channel: NotificationChannelKind, readStart: ContinuousClock.Instant, limit: Int
    ) -> [DeliveryRecord] {
        state.withLock { state in
            let claimed = rows.filter { row in
                guard state.settled[row.id].map({ $0 < readStart }) ?? true else { return false }
                return state.inFlight[channel, default: []].count < limit && state.inFlight[channel, default: []].insert(row.id).inserted
            }
            state.settled = state.settled.filter { $0.value >= readStart }
            return claimed
        }
    }

    /// Ends deliveries' flight; `settled` when their outcome was stored (so a read already
    /// under way must not take them again), not when they were left as they were.
    func release(_ deliveries: [DeliveryRecord], of channel: NotificationChannelKind, settled: Bool) {
        let now = ContinuousClock.now
        state.withLock { state in
            for delivery in deliveries {
                state.inFlight[channel]?.remove(delivery.id)
                if settled { state.settled[delivery.id] = now }
            }
        }
    }
}
