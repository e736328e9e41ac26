import Foundation

/// The scenario behind `fanout` and `topics`: subscribers on some topics, paced
/// publishers offering a rate for a duration, then an `end` marker per topic so every
/// subscriber knows when it has seen all; then the report.
struct DeliveryRun {
    var hub: HubOptions
    var topics: [String]
    var subscribersPerTopic: Int
    /// Events per second offered, over all topics.
    var rate: Double
    var duration: Double
    var publishers: Int
    /// Where to write the per-event table (``EventTimeline/table``), if anywhere.
    var timelineFile: String? = nil
    /// Handshakes in flight at once while subscribers connect.
    var connectConcurrency = 100
    /// The longest wait for the `end` markers after publishing stops.
    var drainTimeout = 60.0
    /// The delivery latency the report's `tail` line looks past: the fan-out target's p99.
    static let tailThreshold: UInt64 = 20_000_000

    func run() async throws {
        let recorder = LatencyRecorder()
        let acks = LatencyRecorder()
        let timeline = EventTimeline(capacity: Int(rate * duration) + publishers)
        let progress = Progress()
        let subscriberCount = topics.count * subscribersPerTopic
        var cpu = CPUWindow(hubPid: hub.hubPid)
        let hubRSSBefore = hub.hubPid.flatMap(ProcessStats.residentKiB)

        let outcome = try await withThrowingTaskGroup(of: SubscriberTally?.self) { group in
            // 1. Subscribers, connected a batch at a time.
            try await ConnectionTasks.open(
                subscriberCount, concurrency: connectConcurrency, progress: progress, timeout: 120, label: "subscribed", in: &group
            ) { index in
                await Subscriber.run(hub: hub, topic: topics[index % topics.count], recorder: recorder, timeline: timeline,
                    readsCommitTimes: index < topics.count, progress: progress)
            }

            // 2. Publishers offer the rate for the duration.
            cpu.start()
            let start = Monotonic.now() + 20_000_000
            let end = start + UInt64(duration * 1e9)
            let publisherTallies = await withTaskGroup(of: PublisherTally.self) { publishersGroup in
                for index in 0..<publishers {
                    publishersGroup.addTask {
                        await PacedPublisher.run(
                            hub: hub, topics: topics, rate: rate, index: index, stride: publishers, start: start, end: end,
                            acks: acks, timeline: timeline)
                    }
                }
                return await publishersGroup.reduce(into: []) { $0.append($1) }
            }
            let publishedBy = Monotonic.now()

            // 3. The end markers, then every subscriber's tally (cancelled after the drain timeout).
            try await PacedPublisher.publishEnd(hub: hub, topics: topics)
            let (tallies, timedOut) = try await ConnectionTasks.collect(subscriberCount, timeout: drainTimeout, from: &group)
            return (start, publishedBy, publisherTallies, tallies, timedOut, cpu.stop(), cpu.hubWriteSyscalls)
        }
        let (start, publishedBy, publisherTallies, tallies, timedOut, cpuLine, hubWrites) = outcome
        report(start: start, publishedBy: publishedBy, publisherTallies: publisherTallies, tallies: tallies,
               timedOut: timedOut, recorder: recorder, acks: acks, timeline: timeline, cpuLine: cpuLine, hubWrites: hubWrites, hubRSSBefore: hubRSSBefore)
    }

    private func report(
        start: UInt64, publishedBy: UInt64, publisherTallies: [PublisherTally], tallies: [SubscriberTally],
        timedOut: Bool, recorder: LatencyRecorder, acks: LatencyRecorder, timeline: EventTimeline, cpuLine: String, hubWrites: Int?, hubRSSBefore: Int?
    ) {
        let sent = publisherTallies.reduce(0) { $0 + $1.sent }
        let acked = publisherTallies.reduce(0) { $0 + $1.acked }
        let failed = publisherTallies.reduce(0) { $0 + $1.failed }
        let maxLag = publisherTallies.map(\.maxLag).max() ?? 0
        var ackedPerTopic = Array(repeating: 0, count: topics.count)
        for tally in publisherTallies {
            for (index, count) in tally.ackedPerTopic.enumerated() { ackedPerTopic[index] += count }
        }
        let expected = ackedPerTopic.reduce(0, +) * subscribersPerTopic
        let received = tallies.reduce(0) { $0 + $1.received }
        let lastReceive = tallies.map(\.lastReceive).max() ?? start
        let deliveryWindow = Monotonic.seconds(max(lastReceive, publishedBy) - start)
        let publishWindow = Monotonic.seconds(publishedBy - start)

        Report.field("published", "\(acked) acknowledged of \(sent) sent, \(failed) refused, "
            + Report.fixed(Double(acked) / publishWindow, 0) + "/s (offered " + Report.fixed(rate, 0) + "/s)")
        Report.field("publisher lag", "max " + Report.fixed(Double(maxLag) / 1e6, 1) + " ms behind schedule")
        Report.field("deliveries", "\(received) received of \(expected) expected in "
            + Report.fixed(deliveryWindow, 2) + " s = " + Report.fixed(Double(received) / deliveryWindow, 0) + "/s "
            + "(offered " + Report.fixed(rate * Double(subscribersPerTopic), 0) + "/s)")
        Report.field("lost deliveries", "\(expected - received)"
            + (timedOut ? " (drain timed out after \(Int(drainTimeout)) s)" : ""))
        Report.field("offset gaps", "\(tallies.reduce(0) { $0 + $1.missingOffsets }) missing offsets, "
            + "\(tallies.reduce(0) { $0 + $1.outOfOrder }) out of order, "
            + "\(tallies.filter { $0.missingOffsets > 0 || $0.outOfOrder > 0 }.count) subscribers affected")
        Report.field("end marker", "seen by \(tallies.filter(\.sawEnd).count) of \(tallies.count) subscribers")
        Report.field("latency", recorder.summary)
        Report.field("ack latency", acks.summary)
        Report.field("commit after send", timeline.commitAfterSendSummary)
        Report.field("tail", timeline.tail(over: Self.tailThreshold, start: start))
        if let timelineFile, !FileManager.default.createFile(atPath: timelineFile, contents: Data(timeline.table.utf8)) {
            Report.field("problem", "cannot write the timeline to \(timelineFile)")
        }
        Report.field("cpu", cpuLine)
        if let hubWrites, received > 0 {
            Report.field("hub write syscalls", "\(hubWrites) = " + Report.fixed(Double(hubWrites) / Double(received), 2)
                + " per delivery")
        }
        if let pid = hub.hubPid, let before = hubRSSBefore, let after = ProcessStats.residentKiB(pid: pid) {
            Report.field("hub rss", "\(before / 1024) MiB before, \(after / 1024) MiB after")
        }
        Report.problems(tallies.compactMap(\.problem) + publisherTallies.compactMap(\.problem))
    }
}
