import Channels
import Gateways
@testable import Hub
import Store
import Testing

@Suite("ClientFrame")
struct ClientFrameTests {
    @Test func parsesEveryOperation() throws {
        let cases: [(String, ClientFrame.Operation)] = [
            (#"{"op":"ping"}"#, .ping),
            (#"{"op":"subscribe","id":1,"topic":"chat:1","since":{"offset":4,"epoch":"e"}}"#,
             .subscribe(TopicName("chat:1")!, since: TopicPosition(epoch: "e", offset: 4))),
            (#"{"op":"unsubscribe","topic":"chat:1"}"#, .unsubscribe(TopicName("chat:1")!)),
            (#"{"op":"publish","topic":"chat:1","name":"m","data":{"b":[1,2.5,null],"a":"x"},"key":"k"}"#,
             .publish(TopicName("chat:1")!, name: "m", data: #"{"b":[1,2.5,null],"a":"x"}"#, key: "k", audience: .everyone)),
            (#"{"op":"publish","topic":"chat:1","name":"note","audience":"staff"}"#,
             .publish(TopicName("chat:1")!, name: "note", data: "null", key: nil, audience: .staff)),
            (#"{"op":"history","topic":"chat:1","limit":5}"#, .history(TopicName("chat:1")!, since: nil, limit: 5)),
            (#"{"op":"presence","topic":"chat:1"}"#, .presence(TopicName("chat:1")!)),
            (#"{"op":"command","target":"ticket:T-1","name":"x","args":{"a":1}}"#,
             .command(target: "ticket:T-1", name: "x", args: .object(["a": .integer(1)]))),
            (#"{"op":"auth","token":"t"}"#, .auth(token: "t")),
        ]
        for (text, operation) in cases {
            #expect(try ClientFrame.parse(text).get().operation == operation, "\(text)")
        }
    }

    @Test func keepsTheIdOfAFrameItRejects() {
        guard case .failure(let rejection) = ClientFrame.parse(#"{"id":"a7","op":"publish","topic":"chat:1"}"#) else {
            Issue.record("expected a rejection"); return
        }
        #expect(rejection.id == .string("a7"))
        #expect(rejection.error.code == "bad_request")
    }

    @Test func publishDataIsKeptAsSentWithoutWhiteSpace() throws {
        let frame = try ClientFrame.parse(#"{"op":"publish","topic":"chat:1","name":"m","data": { "z" : 18446744073709551616, "a" : "two  words\" " } }"#).get()
        #expect(frame.operation == .publish(
            TopicName("chat:1")!, name: "m", data: #"{"z":18446744073709551616,"a":"two  words\" "}"#, key: nil, audience: .everyone))
    }

    @Test func publishDataDefaultsToNull() throws {
        let frame = try ClientFrame.parse(#"{"op":"publish","topic":"chat:1","name":"m"}"#).get()
        #expect(frame.operation == .publish(TopicName("chat:1")!, name: "m", data: "null", key: nil, audience: .everyone))
    }
}

@Suite("JSONValue")
struct JSONValueTests {
    @Test func writesCompactSortedText() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"z":[true,false,null],"a":{"k":-3},"s":"q\""}"#.utf8))
        #expect(value.text == #"{"a":{"k":-3},"s":"q\"","z":[true,false,null]}"#)
    }
}

@Suite("Rate limits")
struct RateLimitTests {
    @Test func abuseIsDeclaredAfterTheThresholdOfRejections() {
        let start = ContinuousClock.now
        var meter = AbuseMeter(threshold: 3, now: start)
        let verdicts = [start, start, start, start, start + .seconds(2)].map { meter.record(.rateLimited, now: $0) }
        #expect(verdicts == [false, false, false, true, false])
    }

    @Test func eachCauseOfAbuseIsCountedApart() {
        let start = ContinuousClock.now
        var meter = AbuseMeter(threshold: 2, now: start)
        for cause in AbuseMeter.Cause.allCases {
            #expect([cause, cause].map { meter.record($0, now: start) } == [false, false], "\(cause)")
        }
        #expect(AbuseMeter.Cause.allCases.map { meter.record($0, now: start) } == [true, true, true])
    }

    @Test func onlyMalformedAndForbiddenRefusalsCountTowardAbuse() {
        #expect(AbuseMeter.Cause(refusal: .badRequest("x")) == .malformed)
        #expect(AbuseMeter.Cause(refusal: .forbidden("x")) == .forbidden)
        #expect(AbuseMeter.Cause(refusal: .invalid("an actor found the data invalid")) == nil)
        #expect(AbuseMeter.Cause(refusal: .rateLimited("the subscription cap")) == nil, "the throttle counts its own")
        #expect(AbuseMeter.Cause(refusal: .notFound("x")) == nil)
    }

    @Test func theMostGenerousRoleWinsAndUnlimitedRolesAreUnlimited() {
        let table = RateLimit.socketDefaults
        #expect(HubConfiguration.limit(for: [.customer], in: table)?.perSecond == 10)
        #expect(HubConfiguration.limit(for: [.customer, .agent], in: table)?.perSecond == 50)
        #expect(HubConfiguration.limit(for: [.customer, .service], in: table) == nil)
    }
}

import Foundation
