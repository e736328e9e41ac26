import Foundation
import Testing

@testable import Gateways

@Suite("RetrySchedule")
struct RetryScheduleTests {
    @Test func standardScheduleFollowsStandardWebhooks() {
        let seconds = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        #expect(RetrySchedule.standard.delays == seconds.map { .seconds($0) })
        #expect(RetrySchedule.standard.attempts == 10)
    }

    @Test func parsesUnitsAndWhitespace() throws {
        let schedule = try RetrySchedule(parsing: " 0s, 250ms ,1s,2m, 3h,1d ")
        #expect(schedule.delays == [.zero, .milliseconds(250), .seconds(1), .seconds(120), .seconds(10800), .seconds(86400)])
        #expect(schedule.attempts == 6)
    }

    @Test(arguments: ["", " ", "0s,", "5", "s", "1.5s", "-1s", "1 s", "1w", "0s,,1s", "99999999999999999999s", "999999999999999999d"])
    func refusesBadSchedules(_ text: String) {
        let error = #expect(throws: GatewayError.self) { try RetrySchedule(parsing: text) }
        #expect(error?.code == "invalid_schedule")
    }

    @Test func delaysCarryAtMostTenPercentJitter() {
        let schedule = RetrySchedule(delays: [.zero, .seconds(100)])
        #expect(schedule.delay(afterFailedAttempts: 0) == .zero)
        for _ in 0..<200 {
            let delay = schedule.delay(afterFailedAttempts: 1)!
            #expect(delay >= .seconds(90) && delay <= .seconds(110))
        }
        #expect(Set((0..<50).map { _ in schedule.delay(afterFailedAttempts: 1)! }).count > 1)
    }

    @Test func endsAfterTheLastAttempt() {
        let schedule = RetrySchedule(delays: [.zero, .seconds(1), .seconds(2)])
        #expect(schedule.delay(afterFailedAttempts: 2) != nil)
        #expect(schedule.delay(afterFailedAttempts: 3) == nil)
        #expect(RetrySchedule.standard.delay(afterFailedAttempts: 10) == nil)
    }
}

@Suite("RetryAfter")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_445_412_400)  // Wed, 21 Oct 2015 07:26:40 GMT

    @Test func readsDeltaSeconds() {
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("-5", now: now) == .zero)
    }

    @Test func readsAnHTTPDateRelativeToNow() {
        #expect(RetryAfter.delay("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(80))
        #expect(RetryAfter.delay("Thu, 01 Jan 1970 00:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay("Thu, 29 Feb 2024 00:00:00 GMT", now: Date(timeIntervalSince1970: 1_709_164_800 - 10)) == .seconds(10))
    }

    @Test(arguments: ["", "soon", "1.5", "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 32 Oct 2015 07:28:00 GMT",
        "Thu, 29 Feb 2023 00:00:00 GMT", "Wed, 21 Oct 2015 24:00:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT",
        "Wed, 21 oct 2015 07:28:00 GMT", "Wed, 1 Oct 2015 07:28:00 GMT"])
    func refusesAnythingElse(_ header: String) {
        #expect(RetryAfter.delay(header, now: now) == nil)
    }
}
