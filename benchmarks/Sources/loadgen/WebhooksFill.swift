import ArgumentParser
import Foundation

/// `loadgen webhooks-fill`: the first half of the drain-after-restart benchmark. Creates a
/// webhook endpoint for every event at a port of 127.0.0.1 where nothing listens yet,
/// publishes N events (so N messages pend in the hub's outbox; their attempts fail and are
/// rescheduled), waits until all are acknowledged, and writes `PORT SECRET` to the handoff
/// file for ``WebhooksDrain``. `run.sh` then kills the hub and restarts it.
struct WebhooksFill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks-fill",
        abstract: "Leave N webhook messages pending for a receiver that is not listening; write PORT SECRET to a file.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Events published (one webhook message each).") var events: Int = 100_000
    @Option(help: "Publisher connections.") var publishers: Int = 32
    @Option(help: "Publishes outstanding per publisher connection.") var window: Int = 2
    @Option(help: "The receiver's port (default: a free one below the kernel's ephemeral range).") var receiverPort: Int?
    @Option(help: "Where to write `PORT SECRET` for webhooks-drain.") var handoff: String

    func run() async throws {
        let port: Int
        if let receiverPort { port = receiverPort } else { port = try await WebhookReceiver.freePortBelowEphemeralRange() }
        let url = WebhookReceiver.url(port: port)
        let topic = "events:webhooks-fill-\(HubSocket.runID)"
        Report.header("webhooks-fill", "\(events) events to \(topic), one endpoint for every event at \(url) "
            + "(not listening), published by \(publishers) connections with \(window) outstanding each")
        let endpoint = try await HubREST.createWebhookEndpoint(hub, url: url)
        Report.field("endpoint", endpoint.id)

        var cpu = CPUWindow(hubPid: hub.hubPid)
        cpu.start()
        let start = Monotonic.now()
        let published = await CountedPublisher.run(
            hub: hub, topic: topic, count: events, connections: publishers, window: window)
        published.report(of: events, since: start)
        Report.field("cpu", cpu.stop())
        if let problem = published.problem { Report.field("problem", String(problem.prefix(160))) }
        guard published.acked == events else { throw ExitCode.failure }
        try "\(port) \(endpoint.secret)\n".write(toFile: handoff, atomically: true, encoding: .utf8)
    }
}
