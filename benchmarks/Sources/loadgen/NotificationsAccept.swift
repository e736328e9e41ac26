import ArgumentParser
import Synchronization

/// `loadgen notifications-accept`: notifications accepted per second over REST. C clients,
/// each on a keep-alive connection with one request outstanding, POST notifications of an
/// in-app type one after another (each with an Idempotency-Key of its own), to R recipients
/// each; the hub answers 202 once a notification and its deliveries are stored. Only requests
/// sent after the warm-up and answered inside the measured window are counted and timed.
/// The hub delivers the accepted notifications to the inboxes meanwhile.
struct NotificationsAccept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications-accept",
        abstract: "C REST clients POSTing in-app notifications, one outstanding each; accepted/s and latency to the 202.")

    @OptionGroup var hub: HubOptions
    @Option(help: "REST clients, each on a keep-alive connection with one request outstanding.") var clients: Int = 50
    @Option(help: "Recipients per notification (1 to 1000).") var recipients: Int = 1
    @Option(help: "Users the recipients are taken from, in turn.") var users: Int = 10_000
    @Option(help: "Seconds measured.") var duration: Double = 10
    @Option(help: "Seconds of sending before measuring starts.") var warmup: Double = 2

    /// What the clients counted inside the window.
    private final class Tally: Sendable {
        let accepted = Atomic<Int>(0)
        let refused = Mutex<[String]>([])
    }

    func validate() throws {
        guard (1...1000).contains(recipients) else { throw ValidationError("--recipients must be 1 to 1000") }
        guard users >= recipients else { throw ValidationError("--users must be at least --recipients") }
    }

    func run() async throws {
        Report.header("notifications-accept", "\(clients) REST clients, one outstanding POST each, \(recipients) recipient(s) "
            + "per notification from \(users) users, in-app channel, \(warmup) s warm-up then \(duration) s measured")
        let type = "bench.accept"
        try await NotificationRequests.defineType(hub, name: type, channel: "in_app")
        let recorder = LatencyRecorder()
        let tally = Tally()
        let measureFrom = Monotonic.now() + UInt64(warmup * 1e9)
        let measureUntil = measureFrom + UInt64(duration * 1e9)
        var cpu = CPUWindow(hubPid: hub.hubPid)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [hub, recipients, users] in
                try await HubHTTPConnection.forEach(hub, connections: clients, claims: Claims(total: .max, until: measureUntil)) {
                    connection, number in
                    let sent = Monotonic.now()
                    let response = try await NotificationRequests.send(
                        connection, type: type, number: number,
                        recipients: (number * recipients..<(number + 1) * recipients).map { $0 % users })
                    let answered = Monotonic.now()
                    guard sent >= measureFrom, answered <= measureUntil else { return }
                    if response.status == 202 {
                        tally.accepted.add(1, ordering: .relaxed)
                        recorder.record([(answered - sent) / 1000])
                    } else {
                        tally.refused.withLock { $0.append("\(response.status) \(response.body)") }
                    }
                }
            }
            try await Monotonic.sleep(until: measureFrom)
            cpu.start()
            try await group.waitForAll()
        }
        let cpuLine = cpu.stop()
        let accepted = tally.accepted.load(ordering: .relaxed)
        let refused = tally.refused.withLock { $0 }
        Report.field("accepted", "\(accepted) notifications in \(Report.fixed(duration, 1)) s = "
            + Report.fixed(Double(accepted) / duration, 0) + " notifications/s"
            + (recipients > 1 ? " = " + Report.fixed(Double(accepted * recipients) / duration, 0)
                + " recipient deliveries/s (\(recipients) recipients each)" : ""))
        Report.field("refused", "\(refused.count)")
        Report.field("latency", recorder.summary + " (POST sent to 202 received)")
        Report.field("cpu", cpuLine)
        Report.problems(refused)
    }
}
