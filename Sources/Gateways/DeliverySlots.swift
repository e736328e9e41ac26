import Store

/// The webhook dispatcher's bookkeeping of busy messages and due reads: which messages are
/// in flight or being recorded, how many slots each endpoint has free, and where its next
/// due read starts. Pure, so its rules are tested without a store or a socket.
///
/// Guarantees: a message busy (in flight, or answered and not yet recorded) is never started
/// again, whatever position a read finds it at; no endpoint holds more than
/// `maxPerEndpoint` attempts, and all together no more than `maxConcurrent`.
struct DeliverySlots {
    /// A due read to make for one endpoint.
    struct Ask: Equatable {
        /// At most this many rows: the endpoint's free slots.
        var room: Int
        /// Strictly after this position (nil: from the start).
        var after: WebhookDuePosition?
        /// Leaving out these busy messages (`seq`), those read at a position after `after`.
        var excluding: Set<Int64>
    }

    /// Attempts in flight at once, over every endpoint.
    let maxConcurrent: Int
    /// Attempts in flight at once, per endpoint.
    let maxPerEndpoint: Int

    /// The messages whose attempt is in flight, by endpoint and `seq`, with the position
    /// they were read at; they hold the endpoint's slots.
    private var inFlight: [String: [Int64: WebhookDuePosition]] = [:]
    private(set) var inFlightCount = 0
    /// The messages answered but not yet recorded, likewise: they no longer hold a slot.
    private var recording: [String: [Int64: WebhookDuePosition]] = [:]
    /// Where each endpoint's next due read starts: after the last row it returned, started
    /// or not. Forgotten at every tick, so a message due behind it waits at most one poll
    /// interval: an outcome that could not be recorded, a due time stamped before a commit
    /// that others overtook, the clock stepping back.
    private var cursors: [String: WebhookDuePosition] = [:]
    /// Endpoints whose last read came back short: not asked again until the next tick.
    private var drained: Set<String> = []

    init(maxConcurrent: Int, maxPerEndpoint: Int) {
        self.maxConcurrent = maxConcurrent
        self.maxPerEndpoint = maxPerEndpoint
    }

    /// A poll tick: every cursor and drained mark is forgotten, so the next reads start
    /// from the beginning of each endpoint's due order.
    mutating func tick() {
        cursors = [:]
        drained = []
    }

    /// The read to make for `endpoint`, or nil when it has no free slot, came back short
    /// since the last tick, or (between ticks) has more than half its slots busy: a backlog
    /// is read in batches rather than one query per finished attempt.
    func ask(_ endpoint: String, isTick: Bool) -> Ask? {
        let busy = inFlight[endpoint]?.count ?? 0
        let room = min(maxConcurrent - inFlightCount, maxPerEndpoint - busy)
        guard room > 0, !drained.contains(endpoint), isTick || asksBetweenTicks(busy: busy) else { return nil }
        let after = cursors[endpoint]
        // A read after the cursor passes over the busy messages up to it by itself.
        var excluding = Set<Int64>()
        for messages in [inFlight[endpoint], recording[endpoint]] {
            for (sequence, position) in messages ?? [:] where after.map({ position > $0 }) ?? true {
                excluding.insert(sequence)
            }
        }
        return Ask(room: room, after: after, excluding: excluding)
    }

    /// What `ask`'s read returned: the cursor moves past it, a short read marks the endpoint
    /// drained, and the rows that may start are returned, now in flight. A busy message
    /// that a replay or an outcome moved past the cursor is read again, and not started.
    mutating func start(_ found: [WebhookDelivery], of endpoint: String, asked: Ask) -> [WebhookDelivery] {
        if found.count < asked.room { drained.insert(endpoint) }
        if let last = found.last { cursors[endpoint] = last.position }
        return found.filter { delivery in
            let sequence = delivery.position.sequence
            guard inFlightCount < maxConcurrent, (inFlight[endpoint]?.count ?? 0) < maxPerEndpoint,
                  !isBusy(sequence, of: endpoint)
            else { return false }
            inFlight[endpoint, default: [:]][sequence] = delivery.position
            inFlightCount += 1
            return true
        }
    }

    /// The endpoint answered an attempt: its slot is free, and the message stays busy until
    /// its outcome is recorded. Returns whether a due read could now start something: other
    /// endpoints were waiting for an overall slot, or this one may be asked again.
    mutating func answered(_ position: WebhookDuePosition, of endpoint: String) -> Bool {
        let wasFull = inFlightCount >= maxConcurrent
        if inFlight[endpoint]?.removeValue(forKey: position.sequence) != nil { inFlightCount -= 1 }
        if inFlight[endpoint]?.isEmpty == true { inFlight[endpoint] = nil }
        recording[endpoint, default: [:]][position.sequence] = position
        return wasFull || (asksBetweenTicks(busy: inFlight[endpoint]?.count ?? 0) && !drained.contains(endpoint))
    }

    /// The message's outcome was recorded (or could not be: it is due again): it may start again.
    mutating func recorded(_ position: WebhookDuePosition, of endpoint: String) {
        recording[endpoint]?.removeValue(forKey: position.sequence)
        if recording[endpoint]?.isEmpty == true { recording[endpoint] = nil }
    }

    /// Whether a message of `endpoint` is in flight or being recorded.
    func isBusy(_ sequence: Int64, of endpoint: String) -> Bool {
        inFlight[endpoint]?[sequence] != nil || recording[endpoint]?[sequence] != nil
    }

    /// Whether an endpoint with `busy` attempts in flight is asked between ticks: when none
    /// is busy, or once half its slots are free.
    private func asksBetweenTicks(busy: Int) -> Bool {
        busy == 0 || (maxPerEndpoint - busy) * 2 >= maxPerEndpoint
    }
}
