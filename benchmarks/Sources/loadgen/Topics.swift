import ArgumentParser

/// `loadgen topics`: many topics, a few subscribers each, events spread over the topics.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "N topics with K subscribers each; publishers offer R events/s spread over the topics.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Topics.") var topics: Int = 100
    @Option(help: "Subscriber connections per topic (one subscription each).") var subscribersPerTopic: Int = 10
    @Option(help: "Events per second offered, over all topics.") var rate: Double = 1000
    @Option(help: "Seconds of publishing.") var duration: Double = 10
    @Option(help: "Publisher connections sharing the rate.") var publishers: Int = 8

    func run() async throws {
        let names = (0..<topics).map { "events:topics-\(HubSocket.runID)-\($0)" }
        Report.header("topics", "\(topics) topics x \(subscribersPerTopic) subscribers, \(Int(rate)) events/s offered "
            + "for \(duration) s by \(publishers) publishers")
        try await DeliveryRun(
            hub: hub, topics: names, subscribersPerTopic: subscribersPerTopic, rate: rate, duration: duration,
            publishers: publishers
        ).run()
    }
}
