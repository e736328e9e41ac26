import Histogram
import Synchronization

/// One HdrHistogram of latencies in microseconds (1 µs to 60 s, three significant digits),
/// shared by many connections. Each connection collects values locally in a ``Batch`` and
/// hands them over a few hundred at a time, so the lock is rarely taken.
final class LatencyRecorder: Sendable {
    static let highestMicroseconds: UInt64 = 60_000_000

    private let histogram = Mutex(Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: LatencyRecorder.highestMicroseconds,
        numberOfSignificantValueDigits: .three))

    func record(_ microseconds: [UInt64]) {
        histogram.withLock { histogram in
            for value in microseconds {
                _ = histogram.record(min(max(value, 1), Self.highestMicroseconds))
            }
        }
    }

    var snapshot: Histogram<UInt64> { histogram.withLock { $0 } }

    /// `p50 1.234 ms, p99 5.678 ms, max 9.012 ms (n=...)`.
    var summary: String {
        let histogram = snapshot
        guard histogram.totalCount > 0 else { return "no samples" }
        func ms(_ microseconds: UInt64) -> String { Report.fixed(Double(microseconds) / 1000, 3) + " ms" }
        return "p50 \(ms(histogram.valueAtPercentile(50))), p99 \(ms(histogram.valueAtPercentile(99))), "
            + "p99.9 \(ms(histogram.valueAtPercentile(99.9))), max \(ms(histogram.max)) (n=\(histogram.totalCount))"
    }

    /// A connection's local buffer of samples, handed to the recorder (and to a timeline,
    /// for samples that name their event) a few hundred at a time.
    struct Batch {
        let recorder: LatencyRecorder
        let timeline: EventTimeline?
        private var values: [UInt64] = []
        private var events: [(number: Int, nanoseconds: UInt64)] = []

        init(_ recorder: LatencyRecorder, timeline: EventTimeline? = nil) {
            self.recorder = recorder
            self.timeline = timeline
            values.reserveCapacity(256)
        }

        /// Adds a sample; `event` is the number of the event it measured, if known.
        mutating func add(nanoseconds: UInt64, event: Int? = nil) {
            values.append(nanoseconds / 1000)
            if let event, timeline != nil { events.append((event, nanoseconds)) }
            if values.count == 256 { flush() }
        }

        mutating func flush() {
            guard !values.isEmpty else { return }
            recorder.record(values)
            timeline?.delivered(events)
            values.removeAll(keepingCapacity: true)
            events.removeAll(keepingCapacity: true)
        }
    }
}
