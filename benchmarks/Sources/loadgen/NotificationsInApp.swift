import ArgumentParser

/// `loadgen notifications-inapp`: in-app fan-out to U inboxes. W of the U users watch their
/// `inbox:{user}` topic over WebSocket (with the service token, which may subscribe to any
/// inbox; spread evenly over the notifications); then U / R notifications of R recipients
/// each are POSTed at once on the in_app channel. The figure is the time from the first POST
/// until every delivery is `sent`: the end of the hub's last provider call from its attempt
/// records, and when polling `GET /api/v1/notifications/{id}` saw it. Each watcher's latency
/// is the time from its notification's POST to its `notification.created`.
struct NotificationsInApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications-inapp",
        abstract: "U/R in-app notifications of R recipients, W recipients watching their inbox; deliveries/s and POST-to-event latency.")

    @OptionGroup var hub: HubOptions
    @OptionGroup var batch: NotificationBatchOptions
    @Option(help: "Users among them subscribed to their inbox:{user} over WebSocket (0: none).") var watchers: Int = 1000
    @Option(help: "Milliseconds between polls of a notification's status.") var pollInterval: Int = 250

    func validate() throws {
        guard (0...batch.users).contains(watchers) else { throw ValidationError("--watchers must be 0 to --users") }
    }

    func run() async throws {
        let (users, recipients, notifications, timeout) = (batch.users, batch.recipients, batch.notifications, batch.timeout)
        Report.header("notifications-inapp", "\(notifications) notifications × \(recipients) recipients on the in_app channel, "
            + "posted at once, \(watchers) of the \(users) users watching their inbox over WebSocket")
        let type = "bench.inapp"
        try await NotificationRequests.defineType(hub, name: type, channel: "in_app")
        let recorder = LatencyRecorder()
        let progress = Progress()
        let sentAt = (0..<notifications).map { _ in Box<UInt64>(0) }
        let spacing = watchers > 0 ? users / watchers : 1
        var cpu = CPUWindow(hubPid: hub.hubPid)
        let outcome = try await withThrowingTaskGroup(of: InboxWatchTally?.self) { group in
            try await ConnectionTasks.open(watchers, concurrency: 100, progress: progress, timeout: 120, label: "subscribed", in: &group) {
                index in
                let user = index * spacing
                return await InboxWatcher.run(
                    hub: hub, user: NotificationRequests.user(user), sentAt: sentAt[user / recipients], recorder: recorder,
                    progress: progress)
            }
            cpu.start()
            let start = Monotonic.now()
            let startWall = NotificationStatus.wallMilliseconds()
            let ids = try await NotificationRequests.sendAll(hub, type: type, count: notifications, recipients: recipients, sentAt: sentAt)
            let acceptedBy = Monotonic.now()
            let (statuses, settledAt) = try await NotificationStatus.waitUntilSettled(
                hub, ids: ids, interval: .milliseconds(pollInterval), deadline: start + UInt64(timeout * 1e9))
            let cpuLine = cpu.stop()
            let (tallies, _) = try await ConnectionTasks.collect(watchers, timeout: 10, from: &group)
            return (start, startWall, acceptedBy, statuses, settledAt, tallies, cpuLine)
        }
        let (start, startWall, acceptedBy, statuses, settledAt, tallies, cpuLine) = outcome

        func seconds(_ time: UInt64) -> String { Report.fixed(Monotonic.seconds(time - min(time, start)), 2) + " s" }
        Report.field("accepted", "\(notifications) notifications answered 202 in \(seconds(acceptedBy))")
        NotificationStatus.report(statuses)
        let sent = statuses.reduce(0) { $0 + $1.byStatus["sent", default: 0] }
        if sent > 0, let lastCall = statuses.compactMap(\.lastCallEnd).max() {
            let window = Double(lastCall - startWall) / 1000
            Report.field("deliveries", "\(sent) sent, the last " + Report.fixed(window, 2) + " s after the first POST = "
                + Report.fixed(Double(sent) / window, 0) + " deliveries/s (the hub's attempt records)")
        } else if sent > 0, let settledAt {
            let window = Monotonic.seconds(settledAt - start)
            Report.field("deliveries", "\(sent) sent, all seen by polling " + Report.fixed(window, 2) + " s after the first POST = "
                + Report.fixed(Double(sent) / window, 0) + " deliveries/s (no attempt records; within one poll interval)")
        }
        Report.field("polling", settledAt.map { "saw every notification settled \(seconds($0)) after the first POST" }
            ?? "timed out after \(Report.fixed(timeout, 0)) s")
        if watchers > 0 {
            Report.field("watchers", "\(tallies.filter(\.arrived).count) of \(watchers) got their notification.created")
            Report.field("latency", recorder.summary + " (POST sent to notification.created received)")
        }
        Report.field("cpu", cpuLine)
        Report.problems(tallies.compactMap(\.problem))
    }
}
