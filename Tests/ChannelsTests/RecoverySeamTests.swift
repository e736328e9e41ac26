import Channels
import Foundation
import NIOCore
import Store
import Testing

@Suite("Recovery seam")
struct RecoverySeamTests {
    /// Decodes the offsets of event frames drained from a queue, skipping the reply marker.
    func drain(_ queue: OutboundQueue, until last: Int64) async -> [Int64] {
        var offsets: [Int64] = []
        for await _ in queue.wakeUps() {
            while case .frames(let frames) = queue.take() {
                for frame in frames {
                    let text = String(buffer: frame.payload)
                    guard let range = text.range(of: "\"offset\":") else { continue }
                    offsets.append(Int64(text[range.upperBound...].prefix { $0.isNumber })!)
                }
            }
            if offsets.last ?? 0 >= last { break }
        }
        return offsets
    }

    @Test(arguments: 1...5)
    func subscribingWhilePublishingLosesAndRepeatsNothing(round: Int) async throws {
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "seam-\(UUID()).sqlite", durability: .normal)
        let committer = GroupCommitter(store: store)
        let topics = Topics(store: store, committer: committer, policies: NamespacePolicy.defaults)
        let running = Task { await committer.run() }
        let topic = TopicName("events:seam")!
        var epoch = ""
        for _ in 0..<50 { epoch = try await topics.publish(to: topic, name: "n", data: "{}", key: nil).event.epoch }

        let publishing = Task {
            for _ in 0..<200 { _ = try await topics.publish(to: topic, name: "n", data: "{}", key: nil) }
        }
        try await Task.sleep(for: .milliseconds(round))
        let queue = OutboundQueue(maxBytes: 1 << 24)
        let subscriber = Subscriber(id: 1, member: PresenceMember(client: "c", user: "u"), queue: queue)
        let result = try await topics.subscribe(subscriber, to: topic, since: TopicPosition(epoch: epoch, offset: 10)) { _ in
            OutboundFrame(text: "reply")
        }
        try await publishing.value
        #expect(result.recovered)
        let live = await drain(queue, until: 250)
        #expect(result.events.map(\.offset) + live == Array(11...250))
        running.cancel()
        await running.value
    }
}
