import Synchronization

/// What the webhook receiver has seen, over all its connections: deliveries, distinct
/// `webhook-id`s, verdicts and when they arrived. Every connection's handler records into
/// it under one lock, once per delivery (a few thousand a second), so the lock is cheap.
final class WebhookLedger: Sendable {
    /// A snapshot of the counts.
    struct Counts: Sendable {
        /// POSTs answered with 204, duplicates included.
        var deliveries = 0
        /// Distinct `webhook-id`s among them.
        var distinct = 0
        /// Deliveries whose signature did not verify (or that lacked a webhook header).
        var badSignatures = 0
        /// Deliveries whose signature verified but whose timestamp was more than 5 minutes off.
        var staleTimestamps = 0
        /// Connections the hub opened to the receiver.
        var connections = 0
        /// When the first delivery arrived (``Monotonic``), if one did.
        var firstDelivery: UInt64?
        /// When the latest delivery arrived.
        var lastDelivery: UInt64 = 0
        /// When the latest new `webhook-id` arrived.
        var lastNewID: UInt64 = 0

        /// Deliveries of an id already seen (or without one).
        var duplicates: Int { deliveries - distinct }

        /// Reports the delivery lines; times are seconds after `origin` (``Monotonic``),
        /// which `originName` describes ("the first publish", "the restart").
        func report(expected: Int, origin: UInt64, originName: String, timedOut: Bool, timeout: Double) {
            func after(_ time: UInt64) -> String { Report.fixed(Monotonic.seconds(time - min(time, origin)), 2) + " s" }
            Report.field("distinct ids", "\(distinct) of \(expected) expected"
                + (distinct > 0 ? ", the last \(after(lastNewID)) after \(originName)" : "")
                + (timedOut ? " (timed out after \(Report.fixed(timeout, 0)) s)" : ""))
            if let firstDelivery {
                let window = Monotonic.seconds(lastDelivery - firstDelivery)
                Report.field("deliveries", "\(deliveries) received, the first \(after(firstDelivery)) and the last "
                    + "\(after(lastDelivery)) after \(originName): "
                    + (window > 0 ? Report.fixed(Double(deliveries) / window, 0) : "?") + "/s from first to last")
            } else {
                Report.field("deliveries", "none")
            }
            Report.field("duplicates", "\(duplicates) (deliveries of an id already received)")
            Report.field("bad signatures", "\(badSignatures); \(staleTimestamps) valid but with a timestamp over "
                + "\(WebhookVerifier.tolerance) s off")
            Report.field("hub connections", "\(connections) opened to the receiver")
        }
    }

    private struct State {
        var counts = Counts()
        var ids: Set<String> = []
    }

    private let state = Mutex(State())

    /// Records one delivery that arrived at `now`; an id of nil (header missing) counts as bad and is not an id.
    func record(id: String?, verdict: WebhookVerifier.Verdict, now: UInt64) {
        state.withLock { state in
            state.counts.deliveries += 1
            if state.counts.firstDelivery == nil { state.counts.firstDelivery = now }
            state.counts.lastDelivery = now
            switch verdict {
            case .valid: break
            case .badSignature: state.counts.badSignatures += 1
            case .staleTimestamp: state.counts.staleTimestamps += 1
            }
            if let id, state.ids.insert(id).inserted {
                state.counts.distinct += 1
                state.counts.lastNewID = now
            }
        }
    }

    /// Counts a connection the hub opened.
    func connectionOpened() {
        state.withLock { $0.counts.connections += 1 }
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// Waits until `count` distinct ids have arrived or the clock passes `deadline`
    /// (``Monotonic``); false on timeout. Polls every 5 ms.
    func waitForDistinct(_ count: Int, deadline: UInt64) async throws -> Bool {
        while counts.distinct < count {
            if Monotonic.now() > deadline { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
