@testable import Actors
import Gateways
import Synchronization
import Testing

/// A provider that answers from a script (its last answer repeats) and counts its calls.
final class ScriptedSender: NotificationSender {
    private let script: Mutex<[SendResult]>
    private let count = Mutex(0)

    init(_ script: SendResult...) {
        self.script = Mutex(script)
    }

    var calls: Int { count.withLock { $0 } }

    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        count.withLock { $0 += 1 }
        return script.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
    }
}

@Suite("NotificationChannel")
struct NotificationChannelTests {
    let message = RenderedNotification(notificationID: "ntf_1", type: "t", category: "c", isCritical: false, subject: "s", text: "x", html: nil, title: nil)

    func send(_ channel: NotificationChannel) async -> (SendResult, [String]) {
        let (result, attempts) = await channel.send(message, to: "u1", contacts: nil)
        return (result, attempts.map(\.provider))
    }

    @Test func aTransientFailureFailsOverToTheNextProviderAndBothCallsAreReturned() async {
        let first = ScriptedSender(.transient("503"))
        let channel = NotificationChannel(kind: .sms, providers: [
            ChannelProvider(name: "a", sender: first), ChannelProvider(name: "b", sender: ScriptedSender(.sent(reference: "sid-1"))),
        ])
        let (result, providers) = await send(channel)
        #expect(result == .sent(reference: "sid-1"))
        #expect(providers == ["a", "b"])
    }

    @Test func aPermanentFailureEndsTheSendWithoutFailover() async {
        let second = ScriptedSender(.sent(reference: nil))
        let channel = NotificationChannel(kind: .sms, providers: [
            ChannelProvider(name: "a", sender: ScriptedSender(.permanent("invalid number"))), ChannelProvider(name: "b", sender: second),
        ])
        #expect(await send(channel).0 == .permanent("invalid number"))
        #expect(second.calls == 0)
    }

    @Test func anOpenBreakerSkipsItsProviderSoSendsGoStraightToTheNext() async {
        let down = ScriptedSender(.transient("timeout"))
        let channel = NotificationChannel(kind: .push, providers: [
            ChannelProvider(name: "a", sender: down, breaker: .init(failureThreshold: 2, openSeconds: 60)),
            ChannelProvider(name: "b", sender: ScriptedSender(.sent(reference: nil))),
        ])
        for _ in 0..<2 { #expect(await send(channel).1 == ["a", "b"]) }
        #expect(await send(channel).1 == ["b"], "a is out of rotation")
        #expect(down.calls == 2)
    }

    @Test func withEveryProviderDownTheSendIsDeferredWithoutAnAttempt() async {
        let channel = NotificationChannel(kind: .email, providers: [
            ChannelProvider(name: "a", sender: ScriptedSender(.transient("421")), breaker: .init(failureThreshold: 1, openSeconds: 30)),
        ])
        #expect(await send(channel).0 == .transient("a: 421"))
        let (result, providers) = await send(channel)
        guard case .deferred(let reason, let retryAfter) = result else {
            Issue.record("expected a deferral, got \(result)")
            return
        }
        #expect(reason == "a: circuit open")
        #expect(retryAfter > .seconds(29) && retryAfter <= .milliseconds(30_250), "the breaker's time, with jitter")
        #expect(providers.isEmpty)
    }

    @Test func aProviderOverItsRateIsPassedOverForTheNext() async {
        let channel = NotificationChannel(
            kind: .sms,
            providers: [
                ChannelProvider(name: "a", sender: ScriptedSender(.sent(reference: nil)), rateLimit: RateLimit(perSecond: 1, burst: 1)),
                ChannelProvider(name: "b", sender: ScriptedSender(.sent(reference: nil))),
            ],
            maxRateWait: .milliseconds(100))
        #expect(await send(channel).1 == ["a"])
        #expect(await send(channel).1 == ["b"], "a's next token is a second away")
    }
}
