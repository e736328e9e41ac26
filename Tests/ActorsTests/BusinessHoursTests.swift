@testable import Actors
import Foundation
import Testing

@Suite("BusinessHours")
struct BusinessHoursTests {
    typealias Interval = BusinessHours.Interval

    /// Monday to Friday, 09:00-17:00, Berlin.
    static let office = BusinessHours(
        timezone: "Europe/Berlin",
        weekly: Dictionary(uniqueKeysWithValues: ["mon", "tue", "wed", "thu", "fri"].map {
            ($0, [Interval(start: "09:00", end: "17:00")])
        }))

    /// Every day, all day.
    static func allDay(_ timezone: String) -> BusinessHours {
        BusinessHours(
            timezone: timezone,
            weekly: Dictionary(uniqueKeysWithValues: BusinessHours.dayKeys.map {
                ($0, [Interval(start: "00:00", end: "24:00")])
            }))
    }

    static func sunday(_ timezone: String, _ start: String, _ end: String) -> BusinessHours {
        BusinessHours(timezone: timezone, weekly: ["sun": [Interval(start: start, end: end)]])
    }

    // MARK: - validate

    @Test("a well-formed schedule validates")
    func validSchedule() throws {
        try Self.office.validate()
        try Self.allDay("America/New_York").validate()
        let split = BusinessHours(
            timezone: "UTC",
            weekly: ["mon": [Interval(start: "13:00", end: "17:00"), Interval(start: "09:00", end: "13:00")], "sun": []])
        try split.validate()
    }

    @Test("invalid schedules are refused",
          arguments: [
              BusinessHours(timezone: "Mars/Olympus_Mons", weekly: ["mon": [Interval(start: "09:00", end: "17:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["monday": [Interval(start: "09:00", end: "17:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "9:00", end: "17:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "09:00", end: "17:60")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "09:00", end: "24:01")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "+9:00", end: "17:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "09:00", end: "25:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "17:00", end: "09:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "09:00", end: "09:00")]]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [Interval(start: "24:00", end: "24:00")]]),
              BusinessHours(
                  timezone: "UTC",
                  weekly: ["mon": [Interval(start: "12:00", end: "17:00"), Interval(start: "09:00", end: "12:01")]]),
              BusinessHours(timezone: "UTC", weekly: [:]),
              BusinessHours(timezone: "UTC", weekly: ["mon": [], "tue": []]),
          ])
    func refusesInvalid(hours: BusinessHours) {
        #expect {
            try hours.validate()
        } throws: { error in
            (error as? EntityError)?.code == "bad_request"
        }
    }

    @Test("times parse as HH:MM with 24:00 as the end of the day")
    func parsesTimes() {
        #expect(BusinessHours.minute(of: "00:00") == 0)
        #expect(BusinessHours.minute(of: "17:30") == 17 * 60 + 30)
        #expect(BusinessHours.minute(of: "23:59") == 1439)
        #expect(BusinessHours.minute(of: "24:00") == 1440)
        for bad in ["", "9:00", "09:0", "0900", "09-00", "-1:00", "24:30", "12:60", "ab:cd", "09:00 "] {
            #expect(BusinessHours.minute(of: bad) == nil, "\(bad)")
        }
    }

    // MARK: - add

    @Test("Friday 16:00 plus two business hours is Monday 10:00")
    func addAcrossWeekend() {
        let due = Self.office.add(seconds: 2 * 3600, to: instant("2026-03-06T16:00:00+01:00"))
        #expect(due == instant("2026-03-09T10:00:00+01:00"))
    }

    @Test("a target used up exactly at closing is due at closing, not at the next opening")
    func addEndsAtClosing() {
        let due = Self.office.add(seconds: 2 * 3600, to: instant("2026-03-06T15:00:00+01:00"))
        #expect(due == instant("2026-03-06T17:00:00+01:00"))
    }

    @Test("a start on Saturday counts from Monday 09:00")
    func addFromOutsideHours() {
        let saturday = instant("2026-03-07T11:00:00+01:00")
        #expect(Self.office.add(seconds: 3600, to: saturday) == instant("2026-03-09T10:00:00+01:00"))
        #expect(Self.office.businessSeconds(from: saturday, to: instant("2026-03-09T10:00:00+01:00")) == 3600)
    }

    @Test("a start before opening on a weekday counts from 09:00 that day")
    func addFromEarlyMorning() {
        let due = Self.office.add(seconds: 1800, to: instant("2026-03-10T06:15:00+01:00"))
        #expect(due == instant("2026-03-10T09:30:00+01:00"))
    }

    @Test("a full week of business time lands at the same time a week later")
    func addWholeWeek() {
        let due = Self.office.add(seconds: 5 * 8 * 3600, to: instant("2026-03-10T11:00:00+01:00"))
        #expect(due == instant("2026-03-17T11:00:00+01:00"))
    }

    @Test("a lunch break is skipped")
    func addSkipsGapInsideDay() {
        let hours = BusinessHours(
            timezone: "UTC",
            weekly: ["tue": [Interval(start: "13:00", end: "17:00"), Interval(start: "09:00", end: "12:00")]])
        let due = hours.add(seconds: 2 * 3600, to: instant("2026-03-10T11:00:00Z"))
        #expect(due == instant("2026-03-10T14:00:00Z"))
    }

    @Test("zero seconds returns the start unchanged")
    func addZero() {
        let saturday = instant("2026-03-07T11:00:00+01:00")
        #expect(Self.office.add(seconds: 0, to: saturday) == saturday)
    }

    @Test("a schedule with no open time is never due")
    func addWithoutOpenTime() {
        let closed = BusinessHours(timezone: "UTC", weekly: [:])
        #expect(closed.add(seconds: 60, to: instant("2026-03-07T11:00:00Z")) == .distantFuture)
    }

    @Test("a target more than ten years away is never due")
    func addBeyondWalkLimit() {
        let hours = Self.allDay("UTC")
        let start = instant("2026-03-07T11:00:00Z")
        #expect(hours.add(seconds: 11 * 366 * 86_400, to: start) == .distantFuture)
        #expect(hours.add(seconds: 9 * 366 * 86_400, to: start) == start.addingTimeInterval(9 * 366 * 86_400))
    }

    // MARK: - daylight saving time

    @Test("Berlin spring forward: 24 business hours from Sunday 00:00 end Monday 01:00")
    func berlinSpringForward() {
        let hours = Self.allDay("Europe/Berlin")
        let sunday = instant("2026-03-29T00:00:00+01:00")
        let monday = instant("2026-03-30T00:00:00+02:00")
        #expect(hours.businessSeconds(from: sunday, to: monday) == 23 * 3600)
        #expect(hours.add(seconds: 24 * 3600, to: sunday) == instant("2026-03-30T01:00:00+02:00"))
    }

    @Test("a Sunday-only 00:00-24:00 schedule on the spring-forward day holds 23 hours")
    func berlinSundayOnly() {
        let hours = Self.sunday("Europe/Berlin", "00:00", "24:00")
        let sunday = instant("2026-03-29T00:00:00+01:00")
        #expect(hours.add(seconds: 23 * 3600, to: sunday) == instant("2026-03-30T00:00:00+02:00"))
        // The 24th hour is the first hour of the next Sunday.
        #expect(hours.add(seconds: 24 * 3600, to: sunday) == instant("2026-04-05T01:00:00+02:00"))
    }

    @Test("New York fall back: 24 business hours from Sunday 00:00 end Sunday 23:00")
    func newYorkFallBack() {
        let hours = Self.allDay("America/New_York")
        let sunday = instant("2026-11-01T00:00:00-04:00")
        let monday = instant("2026-11-02T00:00:00-05:00")
        #expect(hours.businessSeconds(from: sunday, to: monday) == 25 * 3600)
        #expect(hours.add(seconds: 24 * 3600, to: sunday) == instant("2026-11-01T23:00:00-05:00"))
        #expect(hours.add(seconds: 26 * 3600, to: sunday) == instant("2026-11-02T01:00:00-05:00"))
    }

    @Test("09:00-17:00 on a clock-change day is still eight real hours",
          arguments: [
              ("Europe/Berlin", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"),
              ("America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"),
          ])
    func officeHoursOnChangeDay(zone: String, dayStart: String, dayEnd: String) {
        let hours = Self.sunday(zone, "09:00", "17:00")
        #expect(hours.businessSeconds(from: instant(dayStart), to: instant(dayEnd)) == 8 * 3600)
    }

    @Test("an interval the clock change falls inside counts the real time elapsed",
          arguments: [
              ("Europe/Berlin", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 2 * 3600),
              ("America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 4 * 3600),
          ])
    func intervalAcrossChange(zone: String, dayStart: String, dayEnd: String, expected: Int) {
        let hours = Self.sunday(zone, "01:00", "04:00")
        #expect(hours.businessSeconds(from: instant(dayStart), to: instant(dayEnd)) == expected)
    }

    // MARK: - businessSeconds

    @Test("business seconds count only open time")
    func businessSecondsAcrossWeekend() {
        let seconds = Self.office.businessSeconds(
            from: instant("2026-03-06T16:00:00+01:00"), to: instant("2026-03-09T10:00:00+01:00"))
        #expect(seconds == 2 * 3600)
    }

    @Test("business seconds are zero when the end is not after the start")
    func businessSecondsEmpty() {
        let start = instant("2026-03-10T11:00:00+01:00")
        #expect(Self.office.businessSeconds(from: start, to: start) == 0)
        #expect(Self.office.businessSeconds(from: start, to: start.addingTimeInterval(-3600)) == 0)
    }

    @Test("business seconds are the inverse of add",
          arguments: [
              "2026-03-06T16:00:00+01:00", "2026-03-07T11:00:00+01:00", "2026-03-10T08:59:59+01:00",
              "2026-03-27T12:34:56+01:00", "2026-10-30T16:59:00+01:00",
          ],
          [1, 59, 3600, 8 * 3600, 8 * 3600 + 1, 100_000, 1_000_000])
    func inverseOfAdd(start: String, seconds: Int) {
        let from = instant(start)
        let due = Self.office.add(seconds: seconds, to: from)
        #expect(Self.office.businessSeconds(from: from, to: due) == seconds)
    }

    @Test("business seconds are the inverse of add from a start with a fraction of a second")
    func inverseFromFractionalStart() {
        let from = instant("2026-03-10T16:59:59+01:00").addingTimeInterval(0.5)
        for seconds in [1, 2, 3600, 100_000] {
            #expect(Self.office.businessSeconds(from: from, to: Self.office.add(seconds: seconds, to: from)) == seconds)
        }
    }

    @Test("business seconds are the inverse of add across clock changes",
          arguments: ["Europe/Berlin", "America/New_York"],
          [3600, 23 * 3600, 25 * 3600, 7 * 24 * 3600])
    func inverseAcrossChanges(zone: String, seconds: Int) {
        let hours = Self.allDay(zone)
        for start in ["2026-03-28T22:00:00Z", "2026-10-31T22:00:00Z"] {
            let from = instant(start)
            #expect(hours.businessSeconds(from: from, to: hours.add(seconds: seconds, to: from)) == seconds)
        }
    }

    @Test("business hours round-trip through JSON")
    func codable() throws {
        let data = try JSONEncoder().encode(Self.office)
        #expect(try JSONDecoder().decode(BusinessHours.self, from: data) == Self.office)
    }
}
