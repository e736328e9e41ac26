import HummingbirdWSClient

/// What one paced publisher connection did.
struct PublisherTally: Sendable {
    var sent = 0
    /// Acknowledged publishes per topic index.
    var ackedPerTopic: [Int]
    var failed = 0
    /// How far behind its schedule the publisher fell at worst, in nanoseconds.
    var maxLag: UInt64 = 0
    var problem: String?

    var acked: Int { ackedPerTopic.reduce(0, +) }
}

/// A publisher holding an offered rate: of the run's events 0, 1, 2, ... (event `n` due at
/// `start + n / rate`, to `topics[n % topics.count]`), it sends those with
/// `n % stride == index`. Publishes are pipelined: a second task reads the replies, and a
/// final `ping` (id 0) tells it every publish has been answered, since the hub answers a
/// connection's frames in order.
///
/// Each event's data is `{"t":<Monotonic.now() when sent>,"seq":n}`.
enum PacedPublisher {
    static func run(
        hub: HubOptions, topics: [String], rate: Double, index: Int, stride: Int, start: UInt64, end: UInt64
    ) async -> PublisherTally {
        let result = Box(PublisherTally(ackedPerTopic: Array(repeating: 0, count: topics.count)))
        do {
            try await HubSocket.connect(hub) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: (sent: Int, lag: UInt64).self) { group in
                    group.addTask {
                        var n = index
                        var sent = 0
                        var maxLag: UInt64 = 0
                        while true {
                            let due = start + UInt64(Double(n) / rate * 1e9)
                            guard due < end else { break }
                            try await Monotonic.sleep(until: due)
                            let now = Monotonic.now()
                            maxLag = max(maxLag, now - min(now, due))
                            // The id says which event it was: n + 1 (0 is the final ping).
                            try await outbound.write(.text(
                                #"{"op":"publish","id":\#(n + 1),"topic":"\#(topics[n % topics.count])","name":"tick","data":{"t":\#(now),"seq":\#(n)}}"#))
                            sent += 1
                            n += stride
                        }
                        try await outbound.write(.text(#"{"op":"ping","id":0}"#))
                        return (sent, maxLag)
                    }
                    var tally = PublisherTally(ackedPerTopic: Array(repeating: 0, count: topics.count))
                    for try await frame in inbound {
                        let scan = FrameScan(frame.data)
                        guard scan.kind == .reply, let id = scan.integer(after: FrameScan.idKey) else { continue }
                        if id == 0 { break }
                        if scan.contains(FrameScan.okTrue) {
                            tally.ackedPerTopic[Int(id - 1) % topics.count] += 1
                        } else {
                            tally.failed += 1
                            tally.problem = tally.problem ?? scan.text
                        }
                    }
                    if let writer = try await group.next() {
                        tally.sent = writer.sent
                        tally.maxLag = writer.lag
                    }
                    result.set(tally)
                }
            }
        } catch {
            var tally = result.get()
            tally.problem = tally.problem ?? "\(error)"
            result.set(tally)
        }
        return result.get()
    }

    /// Publishes one `end` event to each topic over a fresh connection and waits for the
    /// acknowledgements: subscribers stop when they see it.
    static func publishEnd(hub: HubOptions, topics: [String]) async throws {
        try await HubSocket.connect(hub) { inbound, outbound, _ in
            for (index, topic) in topics.enumerated() {
                try await outbound.write(.text(#"{"op":"publish","id":\#(index + 1),"topic":"\#(topic)","name":"end","data":{}}"#))
            }
            var answered = 0
            for try await frame in inbound where FrameScan(frame.data).kind == .reply {
                answered += 1
                if answered == topics.count { break }
            }
        }
    }
}
