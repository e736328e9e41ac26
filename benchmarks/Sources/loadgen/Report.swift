import Foundation

/// Plain `name: value` lines on standard output, flushed at once.
enum Report {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func field(_ name: String, _ value: String) {
        line(name.padding(toLength: 22, withPad: " ", startingAt: 0) + value)
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// One `problem` line for each of the five most frequent `problems` (each cut to 160
    /// characters), with how often it occurred.
    static func problems(_ problems: some Sequence<String>) {
        var counts: [String: Int] = [:]
        for problem in problems { counts[String(problem.prefix(160)), default: 0] += 1 }
        for (problem, count) in counts.sorted(by: { $0.value > $1.value }).prefix(5) {
            field("problem", "\(count)x \(problem)")
        }
    }

    static func header(_ scenario: String, _ parameters: String) {
        line("== \(scenario): \(parameters)")
        field("load average", ProcessStats.loadAverage)
    }
}
