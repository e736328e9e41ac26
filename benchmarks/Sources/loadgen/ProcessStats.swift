#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time and resident memory of a process, from `/proc` (Linux only).
struct ProcessStats {
    /// User plus system CPU time in seconds, or nil if it cannot be read.
    static func cpuSeconds(pid: Int32?) -> Double? {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after "pid (comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` in KiB, or nil.
    static func residentKiB(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// Write system calls (`write`, `writev`, `sendmsg`...) the process has made: `syscw` of `/proc/PID/io`.
    static func writeSyscalls(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("syscw:") {
            return Int(line.dropFirst("syscw:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// `/proc/loadavg`'s first three numbers.
    static var loadAverage: String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// Measures the CPU used by this process and the hub, and the hub's write system calls,
/// between `start` and `stop`.
struct CPUWindow {
    private let hubPid: Int32?
    private var startTime: UInt64 = 0
    private var startSelf: Double?
    private var startHub: Double?
    private var startHubWrites: Int?

    init(hubPid: Int32?) {
        self.hubPid = hubPid
    }

    mutating func start() {
        startTime = Monotonic.now()
        startSelf = ProcessStats.cpuSeconds(pid: nil)
        startHub = hubPid.flatMap { ProcessStats.cpuSeconds(pid: $0) }
        startHubWrites = hubPid.flatMap { ProcessStats.writeSyscalls(pid: $0) }
    }

    /// The hub's write system calls since `start`, if known.
    var hubWriteSyscalls: Int? {
        guard let hubPid, let start = startHubWrites, let now = ProcessStats.writeSyscalls(pid: hubPid) else { return nil }
        return now - start
    }

    /// `loadgen 85% of a core, hub 140% of a core (over 10.0 s)`.
    func stop() -> String {
        let wall = Monotonic.seconds(Monotonic.now() - startTime)
        func share(_ start: Double?, _ end: Double?) -> String {
            guard let start, let end, wall > 0 else { return "?" }
            return Report.fixed((end - start) / wall * 100, 0) + "%"
        }
        var line = "loadgen \(share(startSelf, ProcessStats.cpuSeconds(pid: nil)))"
        if let hubPid { line += ", hub \(share(startHub, ProcessStats.cpuSeconds(pid: hubPid)))" }
        return line + " of one core over \(Report.fixed(wall, 1)) s (2 cores = 200%)"
    }
}
