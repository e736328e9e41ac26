/// An address range such as "10.0.0.0/8" or "fc00::/7". The stored address has its host
/// bits cleared, so equal ranges compare and hash equal however they were written.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits zero).
    public let address: IPAddress
    /// The number of leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// Parses "address/prefix" or a bare address (meaning /32 or /128). Host bits after
    /// the prefix are allowed and cleared; a prefix out of range, a non-decimal prefix
    /// or a bad address gives nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = if case .v4 = address { 32 } else { 128 }
        var prefixLength = maximum
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }),
                let value = Int(digits), value <= maximum
            else { return nil }
            prefixLength = value
        }
        self.prefixLength = prefixLength
        self.address = Self.masked(address, prefixLength)
    }

    /// True when `address` lies in the range. An IPv4 range never contains an IPv6
    /// address (not even an IPv4-mapped one) and vice versa.
    public func contains(_ address: IPAddress) -> Bool {
        switch (self.address, address) {
        case (.v4, .v4), (.v6, .v6): Self.masked(address, prefixLength) == self.address
        default: false
        }
    }

    /// "address/prefix" with the canonical address text, e.g. "10.0.0.0/8".
    public var description: String { "\(address)/\(prefixLength)" }

    /// `address` with every bit after the first `prefixLength` cleared. Swift's `<<`
    /// yields zero when shifting by the full width, which covers a zero prefix.
    private static func masked(_ address: IPAddress, _ prefixLength: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            return .v4(value & UInt32.max << (32 - prefixLength))
        case .v6(let high, let low):
            let highMask: UInt64 = prefixLength >= 64 ? .max : .max << (64 - prefixLength)
            let lowMask: UInt64 = prefixLength <= 64 ? 0 : .max << (128 - prefixLength)
            return .v6(high & highMask, low & lowMask)
        }
    }
}
