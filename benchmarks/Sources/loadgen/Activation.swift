import ArgumentParser
import Foundation

/// `loadgen activation`: how long a chat actor takes to come back from its snapshot. Opens
/// N chats, waits until the hub has passivated them (run the hub with a short
/// `actorIdleSeconds`), then reads each one twice over REST: the first read activates the
/// actor from its snapshot (and the events after it), the second finds it live. The
/// difference between the two latencies is the activation.
struct Activation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat actors read cold (activated from their snapshots) and warm; latency of each.")

    @OptionGroup var hub: HubOptions
    @Option(help: "Chats to open, then read cold and warm.") var chats: Int = 1000
    @Option(help: "Seconds to wait for the hub to passivate them (more than its actorIdleSeconds plus a poll).")
    var idleWait: Double = 3

    func run() async throws {
        Report.header("activation", "\(chats) chats opened, passivated after \(idleWait) s idle, then each read cold and warm")
        var ids: [String] = []
        for _ in 0..<chats {
            let created = try await HubREST.request(
                hub, method: .POST, path: "/api/v1/support/chats", json: #"{"queue":"bench","customer":"bench-customer"}"#)
            guard created.status == 201,
                  let object = try? JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any],
                  let id = object["id"] as? String
            else { throw HubRESTError.unexpected(status: created.status, body: created.body) }
            ids.append(id)
        }
        try await Task.sleep(for: .milliseconds(Int64(idleWait * 1000)))
        let cold = LatencyRecorder()
        let warm = LatencyRecorder()
        for id in ids {
            for recorder in [cold, warm] {
                let started = Monotonic.now()
                let read = try await HubREST.request(hub, method: .GET, path: "/api/v1/support/chats/\(id)", json: "")
                guard read.status == 200 else { throw HubRESTError.unexpected(status: read.status, body: read.body) }
                recorder.record([(Monotonic.now() - started) / 1000])
            }
        }
        Report.field("cold read", cold.summary + " (activation from the snapshot, then the read)")
        Report.field("warm read", warm.summary + " (the same chat, live)")
        let difference = Double(cold.snapshot.valueAtPercentile(50)) - Double(warm.snapshot.valueAtPercentile(50))
        Report.field("activation", "about " + Report.fixed(difference / 1000, 3) + " ms at the median (cold minus warm)")
    }
}
