import Foundation
import NIOPosix

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Decides which addresses webhooks may be sent to, so an endpoint URL cannot reach the
/// hub's own machine or network (SSRF). Public addresses are permitted; internal ones
/// (loopback, private, link-local, ...) only inside an explicit allow list.
public struct AddressPolicy: Sendable {
    /// Ranges allowed even though they are internal (from `SWITCHBOARD_WEBHOOK_ALLOW`).
    public var allowed: [CIDR]

    /// A policy that permits public addresses and the internal ranges in `allowed`.
    public init(allowed: [CIDR] = []) {
        self.allowed = allowed
    }

    /// Parses a comma-separated CIDR list ("127.0.0.1/32, ::1/128"); whitespace and empty
    /// entries are ignored, so "" gives []. Throws `.invalidURL` naming the first bad entry.
    public static func parseAllowList(_ text: String) throws(GatewayError) -> [CIDR] {
        var ranges: [CIDR] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            guard let range = CIDR(trimmed) else {
                throw .invalidURL("bad CIDR range in SWITCHBOARD_WEBHOOK_ALLOW: \(trimmed)")
            }
            ranges.append(range)
        }
        return ranges
    }

    /// True when `address` is public, or internal but inside `allowed`. An IPv4-mapped or
    /// NAT64 address is also permitted when its embedded IPv4 address is in `allowed`.
    public func permits(_ address: IPAddress) -> Bool {
        guard Self.internalKind(of: address) != nil else { return true }
        let embedded = address.embeddedIPv4
        return allowed.contains { range in
            range.contains(address) || embedded.map(range.contains) == true
        }
    }

    /// Why an address is internal: "loopback", "private", "link-local", "unique-local",
    /// "unspecified", "shared", "multicast", "reserved" or "broadcast"; nil when it is
    /// public. IPv4-mapped (`::ffff:0:0/96`) and NAT64 (`64:ff9b::/96`) addresses are
    /// classified by the IPv4 address they embed.
    public static func internalKind(of address: IPAddress) -> String? {
        if let embedded = address.embeddedIPv4 { return internalKind(of: embedded) }
        let ranges = if case .v4 = address { internalV4 } else { internalV6 }
        return ranges.first { $0.range.contains(address) }?.kind
    }

    /// Internal IPv4 ranges; broadcast comes before the reserved 240/4 that holds it.
    private static let internalV4: [(range: CIDR, kind: String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"), ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"),
        ("100.64.0.0/10", "shared"), ("224.0.0.0/4", "multicast"), ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"), ("192.0.0.0/24", "reserved"), ("198.18.0.0/15", "reserved"),
    ].map { (CIDR($0)!, $1) }

    /// Internal IPv6 ranges; `::` and `::1` come before the deprecated IPv4-compatible
    /// `::/96` that holds them. Site-local `fec0::/10` is deprecated but may still route
    /// inside old networks.
    private static let internalV6: [(range: CIDR, kind: String)] = [
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("::/96", "reserved"),
        ("fe80::/10", "link-local"), ("fec0::/10", "reserved"), ("fc00::/7", "unique-local"),
        ("ff00::/8", "multicast"),
    ].map { (CIDR($0)!, $1) }

    /// Validates a webhook URL and returns the addresses its host resolves to.
    ///
    /// The URL must be http or https, have a host and carry no user info (`.invalidURL`
    /// otherwise). A literal IP is taken as is; a name is resolved with `getaddrinfo` on
    /// `NIOThreadPool.singleton`, never on the Swift concurrency pool
    /// (`.unresolvableHost` when that fails or yields nothing). Every resolved address
    /// must be permitted, or this throws `.forbiddenAddress` naming the first one refused
    /// and its kind.
    ///
    /// - Important: DNS may answer differently later (rebinding). To be safe, connect
    ///   only to the addresses returned here.
    public func check(url: String) async throws(GatewayError) -> [IPAddress] {
        try await check(host: Self.host(of: url))
    }

    /// ``check(url:)`` for a host that ``host(of:)`` already took from a valid URL: parsing
    /// may be done once, but this resolves and checks again at every call.
    func check(host: String) async throws(GatewayError) -> [IPAddress] {
        let literal = IPAddress(host)
        let addresses: [IPAddress]
        if let literal {
            addresses = [literal]
        } else if host.hasPrefix("[") {
            throw .invalidURL("the webhook URL has a malformed IPv6 host \(host)")
        } else {
            addresses = try await Self.resolve(host)
        }
        for address in addresses where !permits(address) {
            let kind = Self.internalKind(of: address) ?? "internal"
            let subject = literal == nil ? "the webhook host \(host) resolves to \(address)" : "the webhook host \(address)"
            throw .forbiddenAddress("\(subject) is internal (\(kind)); webhooks may not reach it")
        }
        return addresses
    }

    /// The host of an http(s) URL without user info, as written (percent-encoding and
    /// zone ids are refused rather than decoded, so what is checked is what is dialled).
    static func host(of url: String) throws(GatewayError) -> String {
        guard let components = URLComponents(string: url) else {
            throw .invalidURL("the webhook URL is malformed")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .invalidURL("a webhook URL uses http or https")
        }
        guard components.percentEncodedUser == nil && components.percentEncodedPassword == nil else {
            throw .invalidURL("a webhook URL may not carry user info")
        }
        guard let host = components.percentEncodedHost, !host.isEmpty else {
            throw .invalidURL("the webhook URL has no host")
        }
        guard !host.contains("%") else {
            throw .invalidURL("the webhook URL host may not be percent-encoded or carry a zone")
        }
        return host
    }

    /// The distinct addresses `name` resolves to, in resolver order.
    private static func resolve(_ name: String) async throws(GatewayError) -> [IPAddress] {
        let addresses: [IPAddress]?
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { lookUp(name) }
        } catch {
            throw .unresolvableHost("cannot resolve the webhook host \(name) now")
        }
        guard let addresses, !addresses.isEmpty else {
            throw .unresolvableHost("the webhook host \(name) does not resolve")
        }
        var seen: Set<IPAddress> = []
        return addresses.filter { seen.insert($0).inserted }
    }

    /// Blocking `getaddrinfo` for TCP over IPv4 and IPv6; nil when resolution fails.
    private static func lookUp(_ name: String) -> [IPAddress]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        return sequence(first: first, next: { $0.pointee.ai_next }).compactMap { entry in
            guard let socketAddress = entry.pointee.ai_addr else { return nil }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    withUnsafeBytes(of: $0.pointee.sin_addr) { IPAddress(v4Bytes: $0) }
                }
            case AF_INET6:
                return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    withUnsafeBytes(of: $0.pointee.sin6_addr) { IPAddress(v6Bytes: $0) }
                }
            default:
                return nil
            }
        }
    }
}
