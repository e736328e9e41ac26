#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What happened to each event of a paced run: when it was sent, when the hub committed it
/// (the event's `time`, from one subscriber), how long its publish took to be acknowledged,
/// and its slowest delivery. A latency tail can then be told apart: a late commit means the
/// publish waited to be read or committed, an early one that fan-out or the subscribers
/// were late; events late together mean one stall, events late apart a saturated machine.
///
/// The commit is compared with the send on the wall clock, in milliseconds of the UTC day
/// (the resolution of the event's `time`); a run across midnight gets nonsense there.
final class EventTimeline: Sendable {
    private struct Event {
        var sent: UInt64 = 0
        var sentDayMilliseconds: Int64 = 0
        var committedDayMilliseconds: Int64?
        var ackNanoseconds: UInt64 = 0
        var worstDeliveryNanoseconds: UInt64 = 0

        /// Milliseconds from the send to the hub's commit time, on the wall clock.
        var commitAfterSend: Int64? { committedDayMilliseconds.map { $0 - sentDayMilliseconds } }
    }

    private let events: Mutex<[Event]>

    /// A timeline for events numbered `0..<capacity`; others are ignored.
    init(capacity: Int) {
        events = Mutex(Array(repeating: Event(), count: max(0, capacity)))
    }

    /// Notes that event `number` was sent at `time` (``Monotonic``), `dayMilliseconds` into
    /// the UTC day.
    func sent(_ number: Int, at time: UInt64, dayMilliseconds: Int64) {
        events.withLock { events in
            guard events.indices.contains(number) else { return }
            events[number].sent = time
            events[number].sentDayMilliseconds = dayMilliseconds
        }
    }

    /// Notes the `time` the hub gave event `number`, read as milliseconds into the UTC day.
    func committed(_ number: Int, dayMilliseconds: Int64) {
        events.withLock { events in
            if events.indices.contains(number) { events[number].committedDayMilliseconds = dayMilliseconds }
        }
    }

    /// Milliseconds into the UTC day now.
    static func dayMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000) % 86_400_000
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

    /// `p50 0 ms, p90 1 ms, p99 4 ms, max 6 ms (n=1000)`: how long after being sent the
    /// events were committed, on the wall clock (millisecond resolution).
    var commitAfterSendSummary: String {
        let delays = events.withLock { $0 }.compactMap(\.commitAfterSend).sorted()
        guard let max = delays.last else { return "no commit times read" }
        func at(_ fraction: Double) -> Int64 { delays[min(delays.count - 1, Int(Double(delays.count) * fraction))] }
        return "p50 \(at(0.5)) ms, p90 \(at(0.9)) ms, p99 \(at(0.99)) ms, max \(max) ms (n=\(delays.count))"
    }

    /// One line per event sent, `number sent commit_after_send_ms ack_ns worst_delivery_ns`
    /// (sent in ``Monotonic`` nanoseconds, the clock `perf record -k monotonic` uses; `-` when
    /// no commit time was read), after a header line.
    var table: String {
        let events = events.withLock { $0 }
        var lines = ["number sent commit_after_send_ms ack_ns worst_delivery_ns"]
        for (number, event) in events.enumerated() where event.sent > 0 {
            let commit = event.commitAfterSend.map(String.init) ?? "-"
            lines.append("\(number) \(event.sent) \(commit) \(event.ackNanoseconds) \(event.worstDeliveryNanoseconds)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `N of M events had a delivery over X ms (K of them committed more than X/2 ms after
    /// they were sent); in B bursts: +s–s (n events, worst d ms, latest commit c ms after
    /// sending, slowest ack a ms), ...` for the five worst bursts; times are seconds after
    /// `start`. A burst is a run of late events sent less than 100 ms apart.
    func tail(over thresholdNanoseconds: UInt64, start: UInt64) -> String {
        let events = events.withLock { $0 }.filter { $0.sent > 0 }
        let late = events.filter { $0.worstDeliveryNanoseconds > thresholdNanoseconds }.sorted { $0.sent < $1.sent }
        let lateCommits = late.filter { ($0.commitAfterSend ?? 0) * 1_000_000 > Int64(thresholdNanoseconds / 2) }.count
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
            let commit = burst.compactMap(\.commitAfterSend).max().map { "\($0) ms" } ?? "unknown"
            return "+\(seconds(burst.first!.sent))–\(seconds(burst.last!.sent)) s (\(burst.count) events, worst "
                + "\(ms(burst.map(\.worstDeliveryNanoseconds).max()!)) ms, latest commit \(commit) after sending, "
                + "slowest ack \(ms(burst.map(\.ackNanoseconds).max()!)) ms)"
        }
        return "\(late.count) of \(events.count) events had a delivery over \(ms(thresholdNanoseconds)) ms "
            + "(\(lateCommits) of them committed more than \(ms(thresholdNanoseconds / 2)) ms after they were sent)"
            + (bursts.isEmpty ? "" : "; in \(bursts.count) bursts: " + described.joined(separator: ", "))
    }
}
