import ArgumentParser

/// `loadgen webhooks`: signed webhook deliveries per second to a local receiver. Starts a
/// receiver on 127.0.0.1, creates an endpoint for every event pointing at it, publishes N
/// events as fast as the hub acknowledges them, and waits until N distinct `webhook-id`s
/// have arrived, each signature verified.
///
/// The hub must allow the receiver's address: start it with
/// `SWITCHBOARD_WEBHOOK_ALLOW=127.0.0.1/32`.
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish N events to a hub with one webhook endpoint on a local receiver; deliveries/s, verified.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Events published (one webhook message each).") var events: Int = 50_000
    @Option(help: "Publisher connections.") var publishers: Int = 32
    @Option(help: "Publishes outstanding per publisher connection.") var window: Int = 2
    @Option(help: "Seconds to wait for all deliveries, from the first publish.") var timeout: Double = 300

    func run() async throws {
        let topic = "events:webhooks-\(HubSocket.runID)"
        // The endpoint's secret verifies the deliveries, and the endpoint needs the receiver's
        // URL: so the port comes first, then the endpoint, then the receiver, all before the
        // first event (until then the hub has nothing to deliver).
        let port = try await WebhookReceiver.freePortBelowEphemeralRange()
        let url = WebhookReceiver.url(port: port)
        let endpoint = try await HubREST.createWebhookEndpoint(hub, url: url)
        guard let verifier = WebhookVerifier(secret: endpoint.secret) else {
            throw ValidationError("the hub's secret is not whsec_<base64>: \(endpoint.secret)")
        }
        let receiver = try await WebhookReceiver.start(port: port, verifier: verifier)

        Report.header("webhooks", "\(events) events to \(topic), one endpoint for every event at \(url), "
            + "published by \(publishers) connections with \(window) outstanding each")
        Report.field("endpoint", endpoint.id)

        var cpu = CPUWindow(hubPid: hub.hubPid)
        cpu.start()
        let start = Monotonic.now()
        let published = await CountedPublisher.run(
            hub: hub, topic: topic, count: events, connections: publishers, window: window)
        let deadline = start + UInt64(timeout * 1e9)
        let complete = try await receiver.ledger.waitForDistinct(published.acked, deadline: deadline)
        let counts = receiver.ledger.counts
        let cpuLine = cpu.stop()

        published.report(of: events, since: start)
        counts.report(expected: published.acked, origin: start, originName: "the first publish", timedOut: !complete, timeout: timeout)
        if complete {
            Report.field("end to end", Report.fixed(Monotonic.seconds(counts.lastNewID - start), 2)
                + " s from the first publish to the last new id, " + Report.fixed(Monotonic.seconds(
                    counts.lastNewID - min(counts.lastNewID, max(published.lastAck, start))), 2)
                + " s after the last acknowledgement")
        }
        Report.field("cpu", cpuLine)
        if let writes = cpu.hubWriteSyscalls, counts.deliveries > 0 {
            Report.field("hub write syscalls", "\(writes) = " + Report.fixed(Double(writes) / Double(counts.deliveries), 2)
                + " per delivery (publishing included)")
        }
        if let problem = published.problem { Report.field("problem", String(problem.prefix(160))) }
        await receiver.close()
    }
}
