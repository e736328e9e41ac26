import Foundation

extension BusinessHours {
    /// A schedule parsed once and bound to its zone's calendar, so a walk over many days
    /// does not re-parse `"HH:MM"` strings.
    ///
    /// Tolerant by design: an unknown zone reads as UTC and unparsable or empty intervals
    /// are dropped; ``BusinessHours/validate()`` is where bad input is refused.
    struct ResolvedSchedule {
        /// A Gregorian calendar in the schedule's time zone.
        let calendar: Calendar
        /// Open minutes of the local day by `Calendar` weekday (1 = Sunday), in start order.
        private let minutes: [Int: [Range<Int>]]

        init(_ hours: BusinessHours) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: hours.timezone) ?? .gmt
            self.calendar = calendar
            var minutes: [Int: [Range<Int>]] = [:]
            for (index, key) in BusinessHours.dayKeys.enumerated() {
                let open = (hours.weekly[key] ?? []).compactMap { interval -> Range<Int>? in
                    guard let start = BusinessHours.minute(of: interval.start),
                        let end = BusinessHours.minute(of: interval.end), start < end
                    else { return nil }
                    return start..<end
                }
                if !open.isEmpty { minutes[index + 1] = open.sorted { $0.lowerBound < $1.lowerBound } }
            }
            self.minutes = minutes
        }

        /// Whether any day has open time; without it a walk could never finish.
        var hasOpenTime: Bool { !minutes.isEmpty }

        /// The local midnight after `day` (itself a local midnight).
        ///
        /// A local day lasts 23 to 25 hours, so 36 hours on lands inside the next day
        /// whatever the clock change; its start is the next midnight.
        func startOfNextDay(after day: Date) -> Date {
            calendar.startOfDay(for: day.addingTimeInterval(36 * 3600))
        }

        /// The open intervals of the local day that starts at `day` and ends at `next`, as
        /// real instants in order. An interval swallowed by a clock change is left out.
        func openIntervals(on day: Date, next: Date) -> [Range<Date>] {
            let weekday = calendar.component(.weekday, from: day)
            return (minutes[weekday] ?? []).compactMap { open in
                let start = instant(at: open.lowerBound, on: day, next: next)
                let end = instant(at: open.upperBound, on: day, next: next)
                return start < end ? start..<end : nil
            }
        }

        /// The instant of local `minute` (0...1440) on `day`; a wall time skipped by a
        /// clock change resolves to the next time that exists. Kept within the day so a
        /// calendar quirk can never move an interval onto another day.
        private func instant(at minute: Int, on day: Date, next: Date) -> Date {
            switch minute {
            case 0: return day
            case 24 * 60: return next
            default:
                let time = calendar.date(bySettingHour: minute / 60, minute: minute % 60, second: 0, of: day) ?? next
                return min(max(time, day), next)
            }
        }
    }
}
