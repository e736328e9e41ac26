import ArgumentParser

/// `loadgen idle`: N connections, each subscribed to a topic of its own, held idle while the
/// hub's resident memory is read.
struct Idle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open N connections each subscribed to its own topic, hold them, and report the hub's RSS per connection.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Connections to open.") var connections: Int = 10_000
    @Option(help: "Seconds to hold them once all are subscribed (keep under the hub's 30 s ping period).")
    var hold: Double = 5
    @Option(help: "Handshakes in flight at once.") var connectConcurrency: Int = 200
    @Flag(inversion: .prefixedNo, help: "Subscribe each connection to a topic of its own (--no-subscribe: connect only).")
    var subscribe = true

    func run() async throws {
        guard let pid = hub.hubPid else { throw ValidationError("idle needs --hub-pid to read the hub's memory") }
        Report.header("idle", "\(connections) connections, " + (subscribe ? "one subscription each" : "no subscriptions")
            + ", held \(hold) s")
        let before = ProcessStats.residentKiB(pid: pid) ?? 0
        Report.field("hub rss before", "\(before) KiB")

        let progress = Progress()
        let release = Gate()
        let tallies = try await withThrowingTaskGroup(of: String?.self) { group in
            try await ConnectionTasks.open(
                connections, concurrency: connectConcurrency, progress: progress, timeout: 300,
                label: subscribe ? "subscribed" : "connected", in: &group
            ) { index in
                await Self.holdConnection(
                    hub: hub, topic: subscribe ? "events:idle-\(HubSocket.runID)-\(index)" : nil, progress: progress, release: release)
            }
            let ready = progress.ready.load(ordering: .relaxed)

            try await Task.sleep(for: .seconds(2))
            let after = ProcessStats.residentKiB(pid: pid) ?? 0
            Report.field("hub rss held", "\(after) KiB after 2 s")
            try await Task.sleep(for: .seconds(max(hold - 2, 0)))
            let held = ProcessStats.residentKiB(pid: pid) ?? 0
            Report.field("hub rss held", "\(held) KiB after \(Report.fixed(max(hold, 2), 0)) s")
            if ready > 0 {
                Report.field("per connection", Report.fixed(Double(held - before) / Double(ready), 2)
                    + " KiB of hub RSS per idle " + (subscribe ? "subscribed " : "") + "connection ((held - before) / \(ready))")
            }
            Report.field("load average", ProcessStats.loadAverage)

            release.open()
            return try await group.reduce(into: [String]()) { if let problem = $1 { $0.append(problem) } }
        }
        try await Task.sleep(for: .seconds(2))
        Report.field("hub rss closed", "\(ProcessStats.residentKiB(pid: pid) ?? 0) KiB 2 s after closing all")
        Report.problems(tallies)
    }

    /// Connects, subscribes to `topic` (if any), then waits for `release`; returns a problem, if any.
    private static func holdConnection(hub: HubOptions, topic: String?, progress: Progress, release: Gate) async -> String? {
        let problem = Box<String?>(nil)
        do {
            let close = try await HubSocket.connect(hub) { inbound, outbound, _ in
                guard let topic else {
                    progress.ready.add(1, ordering: .relaxed)
                    await release.wait()
                    return
                }
                try await outbound.write(.text(#"{"op":"subscribe","id":1,"topic":"\#(topic)"}"#))
                var frames = inbound.makeAsyncIterator()
                while let frame = try await frames.next() {
                    let scan = FrameScan(frame.data)
                    guard scan.kind == .reply else { continue }
                    guard scan.contains(FrameScan.okTrue) else {
                        problem.set("subscribe refused: " + scan.text)
                        progress.failed.add(1, ordering: .relaxed)
                        return
                    }
                    progress.ready.add(1, ordering: .relaxed)
                    await release.wait()
                    return
                }
                problem.set("closed before the subscribe reply")
                progress.failed.add(1, ordering: .relaxed)
            }
            if let close, close.closeCode != .normalClosure, problem.get() == nil {
                problem.set("closed \(close.closeCode) \(close.reason ?? "")")
            }
        } catch {
            if problem.get() == nil {
                // A failure before the handler ran (refused handshake, no port left).
                problem.set("\(error)")
                progress.failed.add(1, ordering: .relaxed)
            }
        }
        return problem.get()
    }
}
