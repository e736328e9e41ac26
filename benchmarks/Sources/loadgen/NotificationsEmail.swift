import ArgumentParser

/// `loadgen notifications-email`: e-mails per second delivered to a real SMTP server. Gives
/// U users an e-mail address (set-up, over several connections at once), then POSTs U / R
/// notifications of R recipients each on the email channel, all at once, and waits until the
/// SMTP server has accepted a message for every one of the U addresses; the figure is the
/// time from the first POST to the last new address.
///
/// The server is `Tests/GatewaysTests/Python/smtp_server.py --count-only` (aiosmtpd), which
/// `run.sh` starts before the hub, so the hub can be started with
/// `SWITCHBOARD_SMTP_URL=smtp://127.0.0.1:PORT` and `SWITCHBOARD_EMAIL_FROM`; this reads
/// its record file.
struct NotificationsEmail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications-email",
        abstract: "U users with an e-mail address, U/R notifications of R recipients on the email channel; e-mails/s at a real SMTP server.")

    @OptionGroup var hub: HubOptions
    @OptionGroup var batch: NotificationBatchOptions
    @Option(help: "The SMTP server's --record file (smtp_server.py --count-only).") var smtpRecord: String
    @Option(help: "The SMTP server's process id, to report its CPU time.") var smtpPid: Int32?
    @Option(help: "Connections saving the contacts at once.") var setupConnections: Int = 32

    func run() async throws {
        let (users, recipients, notifications, timeout) = (batch.users, batch.recipients, batch.notifications, batch.timeout)
        Report.header("notifications-email", "\(users) users with an e-mail address, \(notifications) notifications × "
            + "\(recipients) recipients on the email channel, posted at once, to a local SMTP server (aiosmtpd)")
        let type = "bench.email"
        try await NotificationRequests.defineType(hub, name: type, channel: "email")
        let setupStart = Monotonic.now()
        try await NotificationRequests.saveEmailContacts(hub, users: users, connections: setupConnections)
        let setup = Monotonic.seconds(Monotonic.now() - setupStart)
        Report.field("set-up", "\(users) contacts saved in " + Report.fixed(setup, 1) + " s over \(setupConnections) "
            + "connections = " + Report.fixed(Double(users) / setup, 0) + "/s")

        let record = try SMTPRecord(path: smtpRecord)
        record.update()
        guard record.counts.messages == 0 else {
            Report.field("problem", "the SMTP server's record file already has messages: \(smtpRecord)")
            throw ExitCode.failure
        }
        var cpu = CPUWindow(hubPid: hub.hubPid)
        cpu.start()
        let smtpCPUBefore = smtpPid.flatMap { ProcessStats.cpuSeconds(pid: $0) }
        let start = Monotonic.now()
        let startWall = NotificationStatus.wallMilliseconds()
        let ids = try await NotificationRequests.sendAll(
            hub, type: type, count: notifications, recipients: recipients, sentAt: (0..<notifications).map { _ in Box(0) })
        let acceptedBy = Monotonic.now()
        // A hub without an e-mail provider skips every delivery at once: then nothing will arrive.
        let first = try await HubHTTPConnection.with(hub) { try await NotificationStatus.fetch($0, id: ids[0]) }
        guard first.byStatus["skipped", default: 0] < recipients else {
            NotificationStatus.report([first])
            Report.field("problem", "the hub skipped every e-mail: is it started with SWITCHBOARD_SMTP_URL and SWITCHBOARD_EMAIL_FROM?")
            throw ExitCode.failure
        }
        let complete = try await record.waitForDistinct(users, deadline: start + UInt64(timeout * 1e9))
        let wall = Monotonic.seconds(Monotonic.now() - start)
        let cpuLine = cpu.stop()
        let smtpCPU = smtpPid.flatMap { ProcessStats.cpuSeconds(pid: $0) }.flatMap { after in smtpCPUBefore.map { after - $0 } }
        // The hub marks a delivery sent after the server's reply; give it a moment to catch up.
        let (statuses, _) = try await NotificationStatus.waitUntilSettled(
            hub, ids: ids, interval: .milliseconds(100), deadline: Monotonic.now() + 10_000_000_000)

        let counts = record.counts
        func after(_ time: UInt64) -> String { Report.fixed(Monotonic.seconds(time - min(time, start)), 2) + " s" }
        Report.field("accepted", "\(notifications) notifications answered 202 in \(after(acceptedBy))")
        Report.field("e-mails", "\(counts.distinct) of \(users) addresses reached"
            + (counts.firstMessage.map { ", the first \(after($0)) and the last \(after(counts.lastNewRecipient)) after the first POST" } ?? "")
            + (complete ? "" : " (timed out after \(Report.fixed(timeout, 0)) s)"))
        if counts.distinct > 0 {
            Report.field("rate", Report.fixed(Double(counts.distinct) / Monotonic.seconds(counts.lastNewRecipient - start), 0)
                + " e-mails/s from the first POST to the last new address")
        }
        Report.field("smtp server", "\(counts.messages) messages, \(counts.recipients) recipients "
            + "(\(counts.recipients - counts.distinct) duplicates), \(counts.connections) connections from the hub")
        NotificationStatus.report(statuses)
        if let lastCall = statuses.compactMap(\.lastCallEnd).max() {
            Report.field("hub's last call", Report.fixed(Double(lastCall - startWall) / 1000, 2) + " s after the first POST (its attempt records)")
        }
        Report.field("cpu", cpuLine + (smtpCPU.map { ", smtp server " + Report.fixed($0 / wall * 100, 0) + "%" } ?? ""))
    }
}
