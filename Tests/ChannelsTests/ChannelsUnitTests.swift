@testable import Channels
import Store
import NIOCore
import Synchronization
import Testing

@Suite("TopicName")
struct TopicNameTests {
    @Test(arguments: ["chat:8f2c", "ticket:T-1042", "tickets:billing", "inbox:u42", "events:orders.eu", "a:b:c"])
    func acceptsValidNames(_ name: String) {
        #expect(TopicName(name)?.rawValue == name)
    }

    @Test(arguments: ["", "chat", ":x", "chat:", "Chat:x", "9a:x", "chat:has space", "chat:é", "ché:x", "\u{600}:x", "chat:\u{301}x", "chat\u{301}:x", "a:" + String(repeating: "x", count: 129)])
    func refusesInvalidNames(_ name: String) {
        #expect(TopicName(name) == nil)
    }

    @Test func splitsAtTheFirstColon() throws {
        let name = try #require(TopicName("a:b:c"))
        #expect(name.namespace == "a" && name.id == "b:c")
    }
}

@Suite("Namespace policies")
struct NamespacePolicyTests {
    let customer = Principal(subject: "u42", roles: [.customer], topicPatterns: ["chat:8f2c", "campaign:*"])
    let defaults = NamespacePolicy.defaults

    func allowed(_ rule: KeyPath<NamespacePolicy, AccessRule>, _ principal: Principal, _ topic: String) -> Bool {
        let name = TopicName(topic)!
        return defaults[name.namespace]![keyPath: rule].allows(principal, on: name)
    }

    @Test func customersGetClaimedTopicsAndTheirOwnInboxOnly() {
        #expect(allowed(\.subscribe, customer, "chat:8f2c"))
        #expect(!allowed(\.subscribe, customer, "chat:other"))
        #expect(allowed(\.subscribe, customer, "campaign:c17"))
        #expect(allowed(\.subscribe, customer, "inbox:u42"))
        #expect(!allowed(\.subscribe, customer, "inbox:u7"))
        #expect(!allowed(\.subscribe, customer, "tickets:billing"))
        #expect(!allowed(\.publish, customer, "events:orders"))
    }

    @Test func ticketsStreamsIgnoreClaims() {
        let sneaky = Principal(subject: "u1", roles: [.customer], topicPatterns: ["tickets:*"])
        #expect(!allowed(\.subscribe, sneaky, "tickets:billing"))
    }

    @Test func adminMayDoEverythingAndServicesPublishAnywhere() {
        let admin = Principal(subject: "a", roles: [.admin])
        let service = Principal(subject: "s", roles: [.service])
        for topic in ["chat:1", "ticket:1", "tickets:q", "campaign:1", "inbox:u1", "events:x"] {
            #expect(allowed(\.subscribe, admin, topic) && allowed(\.publish, admin, topic))
            #expect(allowed(\.publish, service, topic))
        }
    }
}

@Suite("OutboundQueue")
struct OutboundQueueTests {
    @Test func framesAreHandedToTheWriterInOrder() {
        let queue = OutboundQueue(maxBytes: 100)
        #expect(queue.enqueue(OutboundFrame(text: "a")))
        #expect(queue.enqueue(OutboundFrame(text: "b")))
        #expect(queue.enqueue(OutboundFrame(text: "c")))
        guard case .frames(let frames) = queue.take() else { Issue.record("expected frames"); return }
        #expect(frames.map { String(buffer: $0.payload) } == ["a", "b", "c"])
        #expect(frames.count == 3)
        #expect(frames.bytes == 9, "the bound counts bytes on the wire: a 2-byte header each")
        #expect(queue.take() == nil)
    }

    @Test func overflowDropsTheBacklogAndClosesAsSlowConsumer() {
        let queue = OutboundQueue(maxBytes: 10)
        #expect(queue.enqueue(OutboundFrame(text: "123456")))
        #expect(!queue.enqueue(OutboundFrame(text: "123456")))
        #expect(!queue.enqueue(OutboundFrame(text: "1")))
        #expect(queue.queuedBytes == 0)
        guard case .close(let reason) = queue.take() else { Issue.record("expected close"); return }
        #expect(reason == .slowConsumer)
    }

    @Test func framesTakenButNotYetWrittenCountAgainstTheBound() {
        let queue = OutboundQueue(maxBytes: 10)
        #expect(queue.enqueue(OutboundFrame(text: "123456")))
        guard case .frames(let frames) = queue.take() else { Issue.record("expected frames"); return }
        #expect(queue.queuedBytes == 8)
        queue.didWrite(bytes: frames.bytes)
        #expect(queue.queuedBytes == 0)
        #expect(queue.enqueue(OutboundFrame(text: "123456")))
        _ = queue.take()
        #expect(!queue.enqueue(OutboundFrame(text: "123456")), "the socket has not taken the first frame yet")
        guard case .close(let reason) = queue.take() else { Issue.record("expected close"); return }
        #expect(reason == .slowConsumer)
    }

    @Test func aSingleFrameLargerThanTheLimitFitsAnEmptyQueue() {
        let queue = OutboundQueue(maxBytes: 4)
        #expect(queue.enqueue(OutboundFrame(text: "a large reply")))
        #expect(!queue.enqueue(OutboundFrame(text: "x")))
    }

    @Test func closeWritesWhatIsQueuedFirst() {
        let queue = OutboundQueue(maxBytes: 100)
        queue.enqueue(OutboundFrame(text: "bye"))
        queue.close(CloseReason(code: 1001, reason: "going away"))
        #expect(!queue.enqueue(OutboundFrame(text: "late")))
        guard case .frames(let frames) = queue.take() else { Issue.record("expected frames"); return }
        #expect(frames.count == 1)
        guard case .close(let reason) = queue.take() else { Issue.record("expected close"); return }
        #expect(reason.code == 1001)
        #expect(queue.take() == nil)
    }

    @Test func anIdleWriterIsWokenOncePerDrain() {
        let queue = OutboundQueue(maxBytes: 100)
        let wakes = Mutex(0)
        queue.enqueue(OutboundFrame(text: "early"))
        queue.setWake { wakes.withLock { $0 += 1 } }
        #expect(wakes.withLock { $0 } == 1, "work queued before the writer registered wakes it at once")
        queue.enqueue(OutboundFrame(text: "x"))
        #expect(wakes.withLock { $0 } == 1, "a writer already woken is not woken again")
        while queue.take() != nil {}
        queue.enqueue(OutboundFrame(text: "y"))
        #expect(wakes.withLock { $0 } == 2)
        queue.close(CloseReason(code: 1000, reason: ""))
        #expect(wakes.withLock { $0 } == 2)
    }
}

@Suite("OutboundFrame")
struct OutboundFrameTests {
    /// The wire bytes of a frame: header, then payload.
    func wire(_ text: String) -> [UInt8] {
        let frame = OutboundFrame(text: text)
        return Array(frame.wire.readableBytesView)
    }

    @Test func aShortMessageHasATwoByteHeader() {
        #expect(wire("") == [0x81, 0])
        #expect(wire("hi") == [0x81, 2, UInt8(ascii: "h"), UInt8(ascii: "i")])
        #expect(wire(String(repeating: "a", count: 125)).prefix(2) == [0x81, 125])
    }

    @Test func lengthsFrom126To65535TakeTwoMoreBytes() {
        #expect(wire(String(repeating: "a", count: 126)).prefix(4) == [0x81, 126, 0, 126])
        #expect(wire(String(repeating: "a", count: 65_535)).prefix(4) == [0x81, 126, 0xFF, 0xFF])
    }

    @Test func longerMessagesTakeEightMoreBytes() {
        let bytes = wire(String(repeating: "a", count: 65_536))
        #expect(bytes.prefix(10) == [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0])
        #expect(bytes.count == 10 + 65_536)
    }

    @Test func thePayloadIsTheMessageWithoutItsHeader() {
        for text in ["", "é{\"a\":1}", String(repeating: "x", count: 300), String(repeating: "y", count: 70_000)] {
            #expect(String(buffer: OutboundFrame(text: text).payload) == text)
        }
    }
}

@Suite("JSONText")
struct JSONTextTests {
    @Test func escapesControlCharactersQuotesAndBackslashes() {
        #expect(JSONText.quoted("a\"b\\c\n\u{01}é") == #""a\"b\\c\n\u0001é""#)
        #expect(JSONText.quoted("plain é \u{7f}") == "\"plain é \u{7f}\"")
        #expect(JSONText.quoted("\u{1f}") == #""\u001f""#)
    }

    @Test func formatsRFC3339WithMilliseconds() {
        #expect(JSONText.timestamp(milliseconds: 1_795_860_000_123) == "2026-11-28T10:00:00.123Z")
        #expect(JSONText.timestamp(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
    }
}

@Suite("Topic seam")
struct TopicSeamTests {
    func offsets(_ queue: OutboundQueue) -> [String] {
        guard case .frames(let frames) = queue.take() else { return [] }
        return frames.map { String(buffer: $0.payload) }
    }

    @Test func heldFramesNewerThanTheReplyFollowIt() async {
        let topic = Topic(name: TopicName("events:t")!)
        let queue = OutboundQueue(maxBytes: 1000)
        _ = topic.register(Subscriber(id: 1, member: PresenceMember(client: "c", user: "u"), queue: queue))
        _ = topic.deliver(offset: 4, frame: OutboundFrame(text: "4"))
        _ = topic.deliver(offset: 5, frame: OutboundFrame(text: "5"))
        #expect(topic.activate(1, after: 4, reply: OutboundFrame(text: "reply")))
        #expect(offsets(queue) == ["reply", "5"])
    }

    @Test func anEventInTheReplyIsNotDeliveredAgainWhenItsFanOutComesLate() async {
        let topic = Topic(name: TopicName("events:t")!)
        let queue = OutboundQueue(maxBytes: 1000)
        _ = topic.register(Subscriber(id: 1, member: PresenceMember(client: "c", user: "u"), queue: queue))
        // Event 7 was committed (and read into the reply) before its fan-out ran.
        #expect(topic.activate(1, after: 7, reply: OutboundFrame(text: "reply")))
        _ = topic.deliver(offset: 7, frame: OutboundFrame(text: "7"))
        _ = topic.deliver(offset: 8, frame: OutboundFrame(text: "8"))
        #expect(offsets(queue) == ["reply", "8"])
    }
}
