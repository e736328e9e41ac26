#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Reads the few fields the load generator needs straight from a frame's bytes, without
/// decoding the JSON: a subscriber sees up to hundreds of thousands of frames a second and
/// shares two cores with the hub.
///
/// It relies on the hub's frame layout: `type` is the first member, and `"offset":`,
/// `"time":"`, `"t":` and `"seq":` occur once in an event frame (the data the load generator
/// publishes is `{"t":N,"seq":N}` and no other member name matches).
struct FrameScan {
    enum Kind { case event, reply, other }

    let kind: Kind
    private let buffer: ByteBuffer

    init(_ buffer: ByteBuffer) {
        self.buffer = buffer
        self.kind = buffer.withUnsafeReadableBytes { bytes in
            if Self.hasPrefix(bytes, Self.eventPrefix) { return .event }
            if Self.hasPrefix(bytes, Self.replyPrefix) { return .reply }
            return .other
        }
    }

    /// The integer after `key` (a pattern like `"offset":`), or nil.
    func integer(after key: [UInt8]) -> Int64? {
        buffer.withUnsafeReadableBytes { bytes in
            guard let start = Self.find(key, in: bytes) else { return nil }
            var index = start + key.count
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : (negative ? -value : value)
        }
    }

    /// The milliseconds into the UTC day of the RFC 3339 time after `key` (a pattern like
    /// `"time":"`, then `YYYY-MM-DDTHH:MM:SS.mmmZ`), or nil.
    func dayMilliseconds(after key: [UInt8]) -> Int64? {
        buffer.withUnsafeReadableBytes { bytes in
            guard let start = Self.find(key, in: bytes), start + key.count + 23 <= bytes.count else { return nil }
            let time = start + key.count + 11  // HH:MM:SS.mmm
            guard bytes[time - 1] == UInt8(ascii: "T"), bytes[time + 2] == UInt8(ascii: ":"),
                  bytes[time + 8] == UInt8(ascii: ".") else { return nil }
            func number(_ offset: Int, _ digits: Int) -> Int64 {
                (0..<digits).reduce(0) { $0 * 10 + Int64(bytes[time + offset + $1] &- UInt8(ascii: "0")) }
            }
            return ((number(0, 2) * 60 + number(3, 2)) * 60 + number(6, 2)) * 1000 + number(9, 3)
        }
    }

    /// Whether the frame contains `pattern`.
    func contains(_ pattern: [UInt8]) -> Bool {
        buffer.withUnsafeReadableBytes { Self.find(pattern, in: $0) != nil }
    }

    var text: String { String(buffer: buffer) }

    static let eventPrefix = Array(#"{"type":"event""#.utf8)
    static let replyPrefix = Array(#"{"type":"reply""#.utf8)
    static let offsetKey = Array(#""offset":"#.utf8)
    static let timeKey = Array(#""t":"#.utf8)
    static let sequenceKey = Array(#""seq":"#.utf8)
    static let timeOfEventKey = Array(#""time":""#.utf8)
    static let idKey = Array(#""id":"#.utf8)
    static let okTrue = Array(#""ok":true"#.utf8)
    static let endName = Array(#""name":"end""#.utf8)

    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        for index in 0..<prefix.count where bytes[index] != prefix[index] { return false }
        return true
    }

    /// The index of the first occurrence of `pattern`.
    private static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, !pattern.isEmpty else { return nil }
        return pattern.withUnsafeBytes { pattern in
            memmem(base, bytes.count, pattern.baseAddress!, pattern.count).map { UnsafeRawPointer($0) - base }
        }
    }

    #if canImport(Glibc)
    /// C's `memmem`, a GNU extension that the Glibc module does not declare: a frame holds
    /// dozens of `"`, so finding a key by its first byte and comparing costs several times more.
    private static let memmem = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memmem") else {  // RTLD_DEFAULT on glibc
            preconditionFailure("the C library has no memmem")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeRawPointer, Int, UnsafeRawPointer, Int) -> UnsafeMutableRawPointer?).self)
    }()
    #endif
}
