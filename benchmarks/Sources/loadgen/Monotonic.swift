#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock of the process: nanoseconds of `CLOCK_MONOTONIC`. Publishers put it in
/// each event's data as `t`, subscribers subtract it from their own reading.
enum Monotonic {
    @inline(__always)
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Sleeps until the clock reads `deadline` (returns at once if it already has).
    static func sleep(until deadline: UInt64) async throws {
        let now = now()
        if deadline > now { try await Task.sleep(for: .nanoseconds(Int64(deadline - now))) }
    }

    static func seconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e9 }
}
