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

    static func header(_ scenario: String, _ parameters: String) {
        line("== \(scenario): \(parameters)")
        field("load average", ProcessStats.loadAverage)
    }
}
