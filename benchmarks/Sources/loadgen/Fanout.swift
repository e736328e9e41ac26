import ArgumentParser

/// `loadgen fanout`: many subscribers on one topic, publishers at an offered rate.
struct Fanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "S subscribers on one topic; publishers offer R events/s for a duration.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Subscriber connections on the topic.") var subscribers: Int = 1000
    @Option(help: "Events per second offered.") var rate: Double = 100
    @Option(help: "Seconds of publishing.") var duration: Double = 10
    @Option(help: "The topic (default: a new events: topic per run).") var topic: String?
    @Option(help: "Publisher connections sharing the rate.") var publishers: Int = 4
    @Option(help: "A file to write each event's send time, ack latency and slowest delivery to.") var timelineFile: String?

    func run() async throws {
        let topic = topic ?? "events:fanout-\(HubSocket.runID)"
        Report.header("fanout", "\(subscribers) subscribers on \(topic), \(Int(rate)) events/s offered for \(duration) s "
            + "by \(publishers) publishers")
        try await DeliveryRun(
            hub: hub, topics: [topic], subscribersPerTopic: subscribers, rate: rate, duration: duration,
            publishers: publishers, timelineFile: timelineFile
        ).run()
    }
}
