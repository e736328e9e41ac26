import Synchronization

/// What happened to each event of a paced run: when it was sent, how long its publish took
/// to be acknowledged, and its slowest delivery. A latency tail can then be told apart:
/// slow acknowledgements mean the commit was late, fast ones that fan-out or the
/// subscribers were; events late together mean one stall, events late apart mean a
/// saturated machine.
final class EventTimeline: Sendable {
    private struct Event {
        var sent: UInt64 = 0
        var ackNanoseconds: UInt64 = 0
        var worstDeliveryNanoseconds: UInt64 = 0
    }

    private let events: Mutex<[Event]>

    /// A timeline for events numbered `0..<capacity`; others are ignored.
    init(capacity: Int) {
        events = Mutex(Array(repeating: Event(), count: max(0, capacity)))
    }

    /// Notes that event `number` was sent at `time` (``Monotonic``).
    func sent(_ number: Int, at time: UInt64) {
        events.withLock { events in
            if events.indices.contains(number) { events[number].sent = time }
        }
    }

    /// Notes that the publish of event `number` was acknowledged at `time`.
    func acknowledged(_ number: Int, at time: UInt64) {
        events.withLock { events in
            guard events.indices.contains(number) else { return }
            events[number].ackNanoseconds = time - min(time, events[number].sent)
        }
    }

    /// Notes deliveries as (event number, publish-to-receive nanoseconds), keeping each event's slowest.
    func delivered(_ deliveries: [(number: Int, nanoseconds: UInt64)]) {
        events.withLock { events in
            for delivery in deliveries where events.indices.contains(delivery.number) {
                events[delivery.number].worstDeliveryNanoseconds = max(events[delivery.number].worstDeliveryNanoseconds, delivery.nanoseconds)
            }
        }
    }

    /// One line per event sent, `number sent ack_ns worst_delivery_ns` (sent in ``Monotonic``
    /// nanoseconds, the clock `perf record -k monotonic` uses), after a header line.
    var table: String {
        let events = events.withLock { $0 }
        var lines = ["number sent ack_ns worst_delivery_ns"]
        for (number, event) in events.enumerated() where event.sent > 0 {
            lines.append("\(number) \(event.sent) \(event.ackNanoseconds) \(event.worstDeliveryNanoseconds)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `N of M events had a delivery over X ms (K of them acknowledged after more than X/2 ms);
    /// in B bursts: +s–s (n events, worst d ms, slowest ack a ms), ...` for the five worst
    /// bursts; times are seconds after `start`. A burst is a run of late events sent less
    /// than 100 ms apart.
    func tail(over thresholdNanoseconds: UInt64, start: UInt64) -> String {
        let events = events.withLock { $0 }.filter { $0.sent > 0 }
        let late = events.filter { $0.worstDeliveryNanoseconds > thresholdNanoseconds }.sorted { $0.sent < $1.sent }
        let lateAcks = late.filter { $0.ackNanoseconds > thresholdNanoseconds / 2 }.count
        var bursts: [[Event]] = []
        for event in late {
            if let last = bursts.last?.last, event.sent - last.sent < 100_000_000 {
                bursts[bursts.count - 1].append(event)
            } else {
                bursts.append([event])
            }
        }
        func ms(_ nanoseconds: UInt64) -> String { Report.fixed(Double(nanoseconds) / 1e6, 1) }
        func seconds(_ time: UInt64) -> String { Report.fixed(Monotonic.seconds(time - min(time, start)), 2) }
        let worst = bursts.sorted { $0.map(\.worstDeliveryNanoseconds).max()! > $1.map(\.worstDeliveryNanoseconds).max()! }.prefix(5)
        let described = worst.map { burst in
            "+\(seconds(burst.first!.sent))–\(seconds(burst.last!.sent)) s (\(burst.count) events, worst "
                + "\(ms(burst.map(\.worstDeliveryNanoseconds).max()!)) ms, slowest ack \(ms(burst.map(\.ackNanoseconds).max()!)) ms)"
        }
        return "\(late.count) of \(events.count) events had a delivery over \(ms(thresholdNanoseconds)) ms "
            + "(\(lateAcks) of them acknowledged after more than \(ms(thresholdNanoseconds / 2)) ms)"
            + (bursts.isEmpty ? "" : "; in \(bursts.count) bursts: " + described.joined(separator: ", "))
    }
}
