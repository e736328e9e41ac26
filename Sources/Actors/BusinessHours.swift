import Foundation

/// A weekly schedule of open hours in one time zone, used to measure SLA targets in
/// business time.
///
/// Times are local wall-clock times in ``timezone``, so the schedule follows daylight saving
/// time: `09:00-17:00` is eight real hours on any day, except a day whose clock change falls
/// inside the interval, where it is the real time elapsed between the two local times (seven
/// or nine hours). Pure: no clock reads; every instant is a parameter.
public struct BusinessHours: Codable, Sendable, Equatable {
    /// One open stretch of a day, in local `"HH:MM"` 24-hour times.
    public struct Interval: Codable, Sendable, Equatable {
        /// When it opens, `"00:00"` to `"23:59"`.
        public var start: String
        /// When it closes, after ``start``; `"24:00"` means the end of the day.
        public var end: String

        /// Creates an interval; ``BusinessHours/validate()`` checks it.
        public init(start: String, end: String) {
            self.start = start
            self.end = end
        }
    }

    /// The IANA time zone the times are read in, such as `"Europe/Berlin"`.
    public var timezone: String
    /// Open intervals by day, keyed `"mon"`, `"tue"`, `"wed"`, `"thu"`, `"fri"`, `"sat"`,
    /// `"sun"`. A missing day, or one with no intervals, is closed.
    public var weekly: [String: [Interval]]

    /// Creates a schedule; call ``validate()`` before trusting one from outside.
    public init(timezone: String, weekly: [String: [Interval]]) {
        self.timezone = timezone
        self.weekly = weekly
    }

    /// Checks that the schedule can be used.
    ///
    /// - Throws: `EntityError.invalid` for an unknown time zone, an unknown day key, a time
    ///   that is not `"HH:MM"` (or `"24:00"`), an interval that does not start before it
    ///   ends, intervals of one day that overlap (touching is fine), or a schedule with no
    ///   open time at all.
    public func validate() throws(EntityError) {
        guard TimeZone(identifier: timezone) != nil else {
            throw .invalid("unknown time zone \"\(timezone)\"")
        }
        var openMinutes = 0
        for day in weekly.keys.sorted() {
            guard Self.dayKeys.contains(day) else {
                throw .invalid("unknown day \"\(day)\"; use mon, tue, wed, thu, fri, sat or sun")
            }
            var minutes: [Range<Int>] = []
            for interval in weekly[day] ?? [] {
                guard let start = Self.minute(of: interval.start), let end = Self.minute(of: interval.end) else {
                    throw .invalid("business hours on \(day) must be HH:MM times, got \(interval.start)-\(interval.end)")
                }
                guard start < end else {
                    throw .invalid("business hours on \(day) must start before they end, got \(interval.start)-\(interval.end)")
                }
                minutes.append(start..<end)
            }
            minutes.sort { $0.lowerBound < $1.lowerBound }
            for (earlier, later) in zip(minutes, minutes.dropFirst()) where later.lowerBound < earlier.upperBound {
                throw .invalid("business hours on \(day) overlap")
            }
            openMinutes += minutes.reduce(0) { $0 + $1.count }
        }
        guard openMinutes > 0 else {
            throw .invalid("business hours have no open time")
        }
    }

    /// The instant at which `seconds` of business time have passed since `start`.
    ///
    /// When `start` is outside the schedule, counting begins at the next opening. A target
    /// that is used up exactly at a closing time is due at that closing time, not at the
    /// next opening. `seconds <= 0` returns `start` unchanged.
    ///
    /// Assumes ``validate()`` passed: with no open time, or a target more than ten years
    /// away, the answer is `Date.distantFuture` (never due) rather than a long walk.
    public func add(seconds: Int, to start: Date) -> Date {
        guard seconds > 0 else { return start }
        let schedule = ResolvedSchedule(self)
        guard schedule.hasOpenTime else { return .distantFuture }
        var remaining = TimeInterval(seconds)
        var day = schedule.calendar.startOfDay(for: start)
        for _ in 0..<Self.walkLimitDays {
            let next = schedule.startOfNextDay(after: day)
            for open in schedule.openIntervals(on: day, next: next) where open.upperBound > start {
                let from = max(open.lowerBound, start)
                let available = open.upperBound.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            day = next
        }
        return .distantFuture
    }

    /// The business seconds between `start` and `end`, rounded to the nearest second;
    /// 0 when `end <= start`. Counts at most ten years from `start`.
    ///
    /// The inverse of ``add(seconds:to:)``: `businessSeconds(from: s, to: add(seconds: n, to: s)) == n`
    /// for any `n >= 0` whose answer is not `distantFuture`.
    public func businessSeconds(from start: Date, to end: Date) -> Int {
        guard end > start else { return 0 }
        let schedule = ResolvedSchedule(self)
        let span = start..<end
        var total: TimeInterval = 0
        var day = schedule.calendar.startOfDay(for: start)
        var walked = 0
        while day < end, walked < Self.walkLimitDays {
            let next = schedule.startOfNextDay(after: day)
            for open in schedule.openIntervals(on: day, next: next) where open.overlaps(span) {
                let counted = open.clamped(to: span)
                total += counted.upperBound.timeIntervalSince(counted.lowerBound)
            }
            day = next
            walked += 1
        }
        return Int(total.rounded())
    }

    /// The day keys by `Calendar` weekday number minus one: Sunday first.
    static let dayKeys = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// How many local days a walk may visit before it gives up: ten years, a fraction of a
    /// second of work.
    static let walkLimitDays = 3_660

    /// The minute of the day for `"HH:MM"` (two digits each, `00:00`...`23:59`, or `24:00`
    /// for 1440); nil for anything else.
    static func minute(of text: String) -> Int? {
        let bytes = Array(text.utf8)
        let digits = [0, 1, 3, 4]
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) })
        else { return nil }
        let value = digits.map { Int(bytes[$0] - UInt8(ascii: "0")) }
        let hour = value[0] * 10 + value[1]
        let minute = value[2] * 10 + value[3]
        guard (hour < 24 && minute < 60) || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }
}
