@testable import Actors
import Foundation
import Testing

@Suite("SLAClock")
struct SLAClockTests {
    /// Counts calendar time.
    static let calendarPolicy = SLAPolicyTests.policy("gold")
    /// Counts Monday to Friday, 09:00-17:00, Berlin.
    static let officePolicy = SLAPolicyTests.policy("gold", hours: BusinessHoursTests.office)

    @Test("a new clock is paused with nothing consumed and has no due time")
    func newClock() {
        let clock = SLAClock()
        #expect(clock.consumedSeconds == 0)
        #expect(clock.runningSince == nil)
        #expect(clock.due(targetSeconds: 3600, policy: Self.calendarPolicy) == nil)
    }

    @Test("in calendar time, paused time does not count toward the target")
    func pauseAndResumeCalendar() {
        let t0 = instant("2026-03-07T10:00:00Z")
        var clock = SLAClock()
        clock.start(at: t0)
        #expect(clock.due(targetSeconds: 3600, policy: Self.calendarPolicy) == t0.addingTimeInterval(3600))

        clock.pause(at: t0.addingTimeInterval(600), policy: Self.calendarPolicy)
        #expect(clock.consumedSeconds == 600)
        #expect(clock.runningSince == nil)
        #expect(clock.due(targetSeconds: 3600, policy: Self.calendarPolicy) == nil)

        clock.start(at: t0.addingTimeInterval(5000))
        #expect(clock.due(targetSeconds: 3600, policy: Self.calendarPolicy) == t0.addingTimeInterval(5000 + 3000))

        clock.pause(at: t0.addingTimeInterval(5100), policy: Self.calendarPolicy)
        #expect(clock.consumedSeconds == 700)
    }

    @Test("in business time, only open hours are consumed and the due time skips closed time")
    func pauseAndResumeBusiness() {
        var clock = SLAClock()
        clock.start(at: instant("2026-03-06T16:00:00+01:00"))  // Friday
        // One hour on Friday, seven on Monday.
        #expect(clock.due(targetSeconds: 8 * 3600, policy: Self.officePolicy) == instant("2026-03-09T16:00:00+01:00"))

        // Pauses on Saturday: only Friday 16:00-17:00 counts.
        clock.pause(at: instant("2026-03-07T12:00:00+01:00"), policy: Self.officePolicy)
        #expect(clock.consumedSeconds == 3600)

        // Resumes Monday 10:00 with seven hours left: 10:00-17:00 Monday.
        clock.start(at: instant("2026-03-09T10:00:00+01:00"))
        #expect(clock.due(targetSeconds: 8 * 3600, policy: Self.officePolicy) == instant("2026-03-09T17:00:00+01:00"))
        // A longer target spills into Tuesday.
        #expect(clock.due(targetSeconds: 9 * 3600, policy: Self.officePolicy) == instant("2026-03-10T10:00:00+01:00"))
    }

    @Test("starting a running clock keeps its original start")
    func startWhileRunning() {
        let t0 = instant("2026-03-07T10:00:00Z")
        var clock = SLAClock()
        clock.start(at: t0)
        clock.start(at: t0.addingTimeInterval(900))
        #expect(clock.runningSince == t0)
        clock.pause(at: t0.addingTimeInterval(1200), policy: Self.calendarPolicy)
        #expect(clock.consumedSeconds == 1200)
    }

    @Test("pausing a paused clock changes nothing")
    func pauseWhilePaused() {
        let t0 = instant("2026-03-07T10:00:00Z")
        var clock = SLAClock()
        clock.pause(at: t0, policy: Self.calendarPolicy)
        #expect(clock == SLAClock())
        clock.start(at: t0)
        clock.pause(at: t0.addingTimeInterval(60), policy: Self.calendarPolicy)
        clock.pause(at: t0.addingTimeInterval(600), policy: Self.calendarPolicy)
        #expect(clock.consumedSeconds == 60)
    }

    @Test("a pause before the start adds nothing")
    func pauseBeforeStart() {
        let t0 = instant("2026-03-07T10:00:00Z")
        for policy in [Self.calendarPolicy, Self.officePolicy] {
            var clock = SLAClock()
            clock.start(at: t0)
            clock.pause(at: t0.addingTimeInterval(-60), policy: policy)
            #expect(clock.consumedSeconds == 0)
        }
    }

    @Test("a target already used up is due when the clock resumed")
    func targetAlreadyReached() {
        let t0 = instant("2026-03-07T10:00:00Z")
        var clock = SLAClock()
        clock.start(at: t0)
        clock.pause(at: t0.addingTimeInterval(7200), policy: Self.calendarPolicy)
        let resumed = t0.addingTimeInterval(10_000)
        clock.start(at: resumed)
        #expect(clock.due(targetSeconds: 3600, policy: Self.calendarPolicy) == resumed)
        #expect(clock.due(targetSeconds: 7200, policy: Self.calendarPolicy) == resumed)
    }

    @Test("a clock round-trips through JSON, running or paused")
    func codable() throws {
        var clock = SLAClock()
        clock.start(at: instant("2026-03-07T10:00:00Z"))
        let running = clock
        clock.pause(at: instant("2026-03-07T10:05:00Z"), policy: Self.calendarPolicy)
        for value in [running, clock] {
            let data = try JSONEncoder().encode(value)
            #expect(try JSONDecoder().decode(SLAClock.self, from: data) == value)
        }
    }
}
