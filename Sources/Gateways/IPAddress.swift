#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IPv4 or IPv6 address as plain integers in host byte order, so ranges are checked
/// with masks and values compare and hash by address.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, host order.
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits, host order.
    case v6(UInt64, UInt64)

    /// Parses the strict textual forms `inet_pton` accepts: dotted-quad IPv4 ("10.0.0.1",
    /// never "10.1" or "0x0a.0.0.1") and IPv6 without a zone, optionally in URL brackets
    /// ("[::1]"). Returns nil for anything else, including host names.
    public init?(_ text: String) {
        guard !text.utf8.contains(0) else { return nil }
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2 {
            guard let bytes = Self.parse(String(text.dropFirst().dropLast()), family: AF_INET6, size: 16) else { return nil }
            self.init(v6Bytes: bytes)
        } else if let bytes = Self.parse(text, family: AF_INET, size: 4) {
            self.init(v4Bytes: bytes)
        } else if let bytes = Self.parse(text, family: AF_INET6, size: 16) {
            self.init(v6Bytes: bytes)
        } else {
            return nil
        }
    }

    /// An IPv4 address from its 4 bytes in network order.
    init<Bytes: Collection<UInt8>>(v4Bytes bytes: Bytes) {
        self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
    }

    /// An IPv6 address from its 16 bytes in network order.
    init<Bytes: Collection<UInt8>>(v6Bytes bytes: Bytes) {
        let high = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self = .v6(high, low)
    }

    /// The IPv4 address an IPv6 address stands for: the embedded address of an
    /// IPv4-mapped (`::ffff:0:0/96`) or NAT64 (`64:ff9b::/96`) address; nil otherwise.
    var embeddedIPv4: IPAddress? {
        guard case .v6(let high, let low) = self,
            (high == 0 && low >> 32 == 0xffff) || (high == 0x0064_ff9b_0000_0000 && low >> 32 == 0)
        else { return nil }
        return .v4(UInt32(truncatingIfNeeded: low))
    }

    /// The address in network byte order.
    var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return [high, low].flatMap { half in (0..<8).map { UInt8(truncatingIfNeeded: half >> (56 - 8 * $0)) } }
        }
    }

    /// The canonical text `inet_ntop` writes: "127.0.0.1", "::1", "::ffff:10.0.0.1".
    public var description: String {
        let family = if case .v4 = self { AF_INET } else { AF_INET6 }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        precondition(written != nil, "inet_ntop cannot fail for a valid family and a large enough buffer")
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The network-order bytes of `text` in `family`, or nil when it is not such an address.
    private static func parse(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let result = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return result == 1 ? bytes : nil
    }
}
