import ArgumentParser
import Foundation

/// `loadgen webhooks-drain`: the second half of the drain-after-restart benchmark. Starts
/// the receiver on the port ``WebhooksFill`` chose, then releases the restarted hub (which
/// `run.sh` holds back on a FIFO until then, so none of its attempts finds the port
/// closed), and times how long the hub takes to deliver every pending message.
///
/// The clock starts when the receiver listens, just before the release: the drain time
/// therefore includes the hub's start-up.
struct WebhooksDrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks-drain",
        abstract: "Receive the webhook backlog a restarted hub drains; time to the last distinct id, deliveries/s.")

    @Option(help: "The port webhooks-fill chose.") var receiverPort: Int
    @Option(help: "The endpoint's secret, whsec_<base64>.") var secret: String
    @Option(help: "Distinct webhook ids to wait for.") var expect: Int = 100_000
    @Option(help: "A FIFO to write a line to once the receiver listens (run.sh starts the hub when it reads it).")
    var release: String?
    @Option(help: "The hub's process id, to report its CPU time.") var hubPid: Int32?
    @Option(help: "Seconds to wait for all deliveries.") var timeout: Double = 300

    func run() async throws {
        guard let verifier = WebhookVerifier(secret: secret) else { throw ValidationError("--secret must be whsec_<base64>") }
        let receiver = try await WebhookReceiver.start(port: receiverPort, verifier: verifier)
        Report.header("webhooks-drain", "receiver on 127.0.0.1:\(receiver.port) waiting for \(expect) distinct ids "
            + "from the restarted hub")

        var cpu = CPUWindow(hubPid: hubPid)
        cpu.start()
        let start = Monotonic.now()
        if let release { try Self.release(release) }
        let complete = try await receiver.ledger.waitForDistinct(expect, deadline: start + UInt64(timeout * 1e9))
        let counts = receiver.ledger.counts
        let cpuLine = cpu.stop()

        if complete {
            Report.field("drained", "\(counts.distinct) messages in " + Report.fixed(Monotonic.seconds(counts.lastNewID - start), 2)
                + " s from the restart to the last new id (hub start-up included)")
        }
        counts.report(expected: expect, origin: start, originName: "the restart", timedOut: !complete, timeout: timeout)
        Report.field("cpu", cpuLine)
        if let writes = cpu.hubWriteSyscalls, counts.deliveries > 0 {
            Report.field("hub write syscalls", "\(writes) = " + Report.fixed(Double(writes) / Double(counts.deliveries), 2)
                + " per delivery")
        }
        await receiver.close()
    }

    /// Writes a line to the FIFO at `path`; opening it waits for its reader, the held-back hub.
    private static func release(_ path: String) throws {
        guard let fifo = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot open \(path)") }
        try fifo.write(contentsOf: Data("go\n".utf8))
        try fifo.close()
    }
}
