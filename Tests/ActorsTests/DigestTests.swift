@testable import Actors
import Testing

@Suite("Digests")
struct DigestTests {
    func item(_ n: Int, text: String = "Order shipped") -> RenderedNotification {
        RenderedNotification(
            notificationID: "ntf_\(n)", type: "order.shipped", category: "orders", isCritical: false, subject: nil, text: text,
            html: nil, title: nil)
    }

    @Test func aWindowEndsOnItsBoundaryAndATimeOnTheBoundaryOpensTheNext() {
        let hour = DigestWindow(windowMinutes: 60)
        #expect(hour.end(of: 3_600_001) == 7_200_000)
        #expect(hour.end(of: 7_199_999) == 7_200_000)
        #expect(hour.end(of: 3_600_000) == 7_200_000, "not a window of its own that closes at once")
        #expect(DigestWindow(windowMinutes: 0).end(of: 1) == 60_000, "a stored zero cannot divide by zero")
    }

    @Test func aDigestCountsItsItemsListsThemAndKeepsAnIDOfItsWindow() {
        let digest = NotificationDispatcher.digest(of: [item(1, text: "A-1 shipped"), item(2, text: "A-2 shipped")], key: "orders@7200000", on: .email)
        #expect(digest.subject == "2 orders notifications")
        #expect(digest.text == "- A-1 shipped\n- A-2 shipped")
        #expect(digest.notificationID == "digest-orders-7200000", "the same whichever members it carries")
    }

    @Test func pushAndSMSDigestsAreCutToWhatThoseChannelsTake() {
        let long = (0..<50).map { item($0, text: String(repeating: "é", count: 100)) }
        let push = NotificationDispatcher.digest(of: long, key: "orders@1", on: .push)
        #expect((push.text ?? "").utf8.count <= 3000)
        #expect(push.text?.hasSuffix("…") == true)
        let sms = NotificationDispatcher.digest(of: long, key: "orders@1", on: .sms)
        #expect((sms.text ?? "").count == 1600)
        #expect(NotificationDispatcher.digest(of: long, key: "orders@1", on: .email).text?.count == 50 * 103 - 1, "e-mail is not cut")
    }
}
