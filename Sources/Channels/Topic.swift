import NIOCore
import Store
import Synchronization

/// The live side of one topic: its subscribers and the seam where recovery meets live
/// delivery. Exists only while it has subscribers.
///
/// A subscriber is registered first as *recovering*: live frames are held for it while
/// its recovery is read from the store. ``activate(_:after:reply:)`` then, inside one
/// critical section, enqueues the reply and the held frames newer than what the reply
/// covered, and switches it to live; later frames at or below that offset are skipped.
/// So there is no gap and no duplicate at the seam.
final class Topic: Sendable {
    private struct Entry {
        var subscriber: Subscriber
        /// Frames held during recovery, with their offsets; nil once live.
        var held: [(offset: Int64, frame: OutboundFrame)]?
        /// The offset the subscriber's reply covered; live frames at or below it are
        /// skipped (an event can be committed, and so in the reply, before it is fanned out).
        var coveredOffset: Int64 = 0

        /// Hands an event frame to this subscriber if it may see it: queued when live, held
        /// while recovering (past ``Topic/maxHeldFrames`` the subscriber is closed as slow).
        /// Returns whether it was queued.
        mutating func deliver(offset: Int64, frame: OutboundFrame, audience: EventAudience) -> Bool {
            if audience == .staff, !subscriber.seesStaffEvents { return false }
            guard held != nil else {
                return offset > coveredOffset && subscriber.queue.enqueue(frame)
            }
            if held!.count < Topic.maxHeldFrames {
                held!.append((offset, frame))
            } else if !subscriber.queue.isClosing {
                held = []
                subscriber.queue.close(.slowConsumer)
            }
            return false
        }
    }

    /// The most frames held for one recovering subscriber before it counts as slow.
    static let maxHeldFrames = 10_000

    let name: TopicName
    private let entries = Mutex<[UInt64: Entry]>([:])

    init(name: TopicName) {
        self.name = name
    }

    var isEmpty: Bool { entries.withLock { $0.isEmpty } }

    var subscriberIDs: [UInt64] { entries.withLock { Array($0.keys) } }

    var members: [PresenceMember] {
        entries.withLock { $0.values.filter { $0.held == nil }.map(\.subscriber.member) }
    }

    /// Registers a recovering subscriber; false if it is already subscribed.
    func register(_ subscriber: Subscriber) -> Bool {
        entries.withLock { entries in
            guard entries[subscriber.id] == nil else { return false }
            entries[subscriber.id] = Entry(subscriber: subscriber, held: [])
            return true
        }
    }

    /// Makes a recovering subscriber live: enqueues `reply` (if any), then the held frames with
    /// offsets above `offset`. Returns false if it was removed meanwhile.
    func activate(_ id: UInt64, after offset: Int64, reply: OutboundFrame?) -> Bool {
        entries.withLock { entries in
            guard var entry = entries[id], let held = entry.held else { return false }
            let queue = entry.subscriber.queue
            if let reply { queue.enqueue(reply) }
            for item in held where item.offset > offset {
                queue.enqueue(item.frame)
            }
            entry.held = nil
            entry.coveredOffset = offset
            entries[id] = entry
            return true
        }
    }

    /// Removes a subscriber; returns it, and whether it had gone live, if it was there.
    func remove(_ id: UInt64) -> (subscriber: Subscriber, wasLive: Bool)? {
        entries.withLock { $0.removeValue(forKey: id) }.map { ($0.subscriber, $0.held == nil) }
    }

    /// Hands an event frame to every subscriber that may see it: live ones get it queued,
    /// recovering ones hold it until they are activated.
    func deliver(offset: Int64, frame: OutboundFrame, audience: EventAudience = .everyone) -> Int {
        entries.withLock { entries in
            var delivered = 0
            // Each entry is changed in place (one access): a copy of it would retain and
            // release every reference it holds, per subscriber and event.
            var index = entries.values.startIndex
            while index != entries.values.endIndex {
                if entries.values[index].deliver(offset: offset, frame: frame, audience: audience) { delivered += 1 }
                entries.values.formIndex(after: &index)
            }
            return delivered
        }
    }

    /// Queues a frame (presence, signal) to every live subscriber.
    func broadcast(_ frame: OutboundFrame) {
        entries.withLock { entries in
            for entry in entries.values where entry.held == nil {
                entry.subscriber.queue.enqueue(frame)
            }
        }
    }
}
