@testable import Actors
import Foundation
import Testing

@Suite("Assigner")
struct AssignerTests {
    static func loads(_ pairs: KeyValuePairs<String, Int>) -> [AgentLoad] {
        pairs.map { AgentLoad(agent: $0.key, open: $0.value) }
    }

    @Test("manual never picks and leaves the turn alone")
    func manual() {
        var assigner = Assigner()
        assigner.lastAssigned = "ann"
        #expect(assigner.pick(from: Self.loads(["ann": 0, "bob": 0]), policy: .manual) == nil)
        #expect(assigner.lastAssigned == "ann")
    }

    @Test("round-robin takes turns in the given order and wraps")
    func roundRobinWraps() {
        var assigner = Assigner()
        let online = Self.loads(["ann": 0, "bob": 0, "cyd": 0])
        let picks = (0..<4).map { _ in assigner.pick(from: online, policy: .roundRobin(capacity: 5)) }
        #expect(picks == ["ann", "bob", "cyd", "ann"])
        #expect(assigner.lastAssigned == "ann")
    }

    @Test("round-robin skips agents at capacity, wrapping past the end")
    func roundRobinSkipsFull() {
        var assigner = Assigner()
        assigner.lastAssigned = "bob"
        let online = Self.loads(["ann": 1, "bob": 0, "cyd": 2])
        #expect(assigner.pick(from: online, policy: .roundRobin(capacity: 2)) == "ann")
        #expect(assigner.lastAssigned == "ann")
    }

    @Test("round-robin may give the last agent another turn when everyone else is full")
    func roundRobinOnlyLastHasRoom() {
        var assigner = Assigner()
        assigner.lastAssigned = "bob"
        #expect(assigner.pick(from: Self.loads(["ann": 3, "bob": 1, "cyd": 3]), policy: .roundRobin(capacity: 3)) == "bob")
    }

    @Test("round-robin starts from the first agent when the last one went offline")
    func roundRobinLastOffline() {
        var assigner = Assigner()
        assigner.lastAssigned = "zed"
        #expect(assigner.pick(from: Self.loads(["ann": 0, "bob": 0]), policy: .roundRobin(capacity: 1)) == "ann")
    }

    @Test("least-loaded takes the agent with the fewest open tickets")
    func leastLoaded() {
        var assigner = Assigner()
        #expect(assigner.pick(from: Self.loads(["ann": 3, "bob": 1, "cyd": 2]), policy: .leastLoaded(capacity: 5)) == "bob")
        #expect(assigner.lastAssigned == "bob")
    }

    @Test("least-loaded breaks ties by the given order, not by name or turn")
    func leastLoadedTies() {
        var assigner = Assigner()
        assigner.lastAssigned = "cyd"
        let online = Self.loads(["cyd": 1, "ann": 1, "bob": 2])
        #expect(assigner.pick(from: online, policy: .leastLoaded(capacity: 5)) == "cyd")
    }

    @Test("least-loaded skips agents at capacity")
    func leastLoadedSkipsFull() {
        var assigner = Assigner()
        #expect(assigner.pick(from: Self.loads(["ann": 2, "bob": 1]), policy: .leastLoaded(capacity: 1)) == nil)
        #expect(assigner.pick(from: Self.loads(["ann": 2, "bob": 0]), policy: .leastLoaded(capacity: 1)) == "bob")
    }

    @Test("nobody is picked when all are full or nobody is online",
          arguments: [AssignmentPolicy.roundRobin(capacity: 2), .leastLoaded(capacity: 2), .roundRobin(capacity: 0)])
    func allFull(policy: AssignmentPolicy) {
        var assigner = Assigner()
        assigner.lastAssigned = "ann"
        #expect(assigner.pick(from: Self.loads(["ann": 2, "bob": 3]), policy: policy) == nil)
        #expect(assigner.pick(from: [], policy: policy) == nil)
        #expect(assigner.lastAssigned == "ann")
    }

    @Test("policies encode as mode and capacity",
          arguments: [
              (AssignmentPolicy.manual, #"{"mode":"manual"}"#),
              (.roundRobin(capacity: 3), #"{"capacity":3,"mode":"round_robin"}"#),
              (.leastLoaded(capacity: 7), #"{"capacity":7,"mode":"least_loaded"}"#),
          ])
    func policyCoding(policy: AssignmentPolicy, json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(policy), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(AssignmentPolicy.self, from: Data(json.utf8)) == policy)
    }

    @Test("an unknown mode or a missing capacity does not decode",
          arguments: [#"{"mode":"random"}"#, #"{"mode":"round_robin"}"#, #"{"capacity":2}"#])
    func policyDecodingRefuses(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AssignmentPolicy.self, from: Data(json.utf8)) }
    }

    @Test("the assigner round-trips through JSON")
    func assignerCoding() throws {
        var assigner = Assigner()
        assigner.lastAssigned = "bob"
        let data = try JSONEncoder().encode(assigner)
        #expect(try JSONDecoder().decode(Assigner.self, from: data) == assigner)
    }
}
