import Testing

@testable import Gateways

@Suite("IPAddress and CIDR")
struct IPAddressTests {
    @Test func parsesIPv4AndIPv6InHostOrder() {
        #expect(IPAddress("127.0.0.1") == .v4(0x7f00_0001))
        #expect(IPAddress("::1") == .v6(0, 1))
        #expect(IPAddress("[::1]") == .v6(0, 1))
        #expect(IPAddress("fe80::1:2") == .v6(0xfe80_0000_0000_0000, 0x0001_0002))
        #expect(IPAddress("::ffff:10.0.0.1")?.embeddedIPv4 == .v4(0x0a00_0001))
    }

    @Test(arguments: ["", "localhost", "127.1", "2130706433", "1.2.3.4.5", "256.0.0.1", "[127.0.0.1]", "[::1", "fe80::1%eth0", "::1\0"])
    func refusesAnythingButStrictAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func describesCanonically() {
        #expect(IPAddress("10.1.2.3")?.description == "10.1.2.3")
        #expect(IPAddress("0:0:0:0:0:0:0:1")?.description == "::1")
        #expect(IPAddress("2001:DB8::0:1")?.description == "2001:db8::1")
    }

    @Test func parsesRangesAndMasksHostBits() {
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDR("10.1.2.3/8") == CIDR("10.0.0.0/8"))
        #expect(CIDR("127.0.0.1")?.description == "127.0.0.1/32")
        #expect(CIDR("::1")?.description == "::1/128")
        #expect(CIDR("fdff::1/7")?.description == "fc00::/7")
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("203.0.113.9")!) == true)
        #expect(CIDR("::/0")?.contains(IPAddress("2001:db8::1")!) == true)
    }

    @Test(arguments: ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8/8", "/8", "10.0.0.0/ 8", "host/8"])
    func refusesBadRanges(_ text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test func containsOnlyItsOwnFamily() throws {
        let v4 = try #require(CIDR("127.0.0.0/8"))
        let v6 = try #require(CIDR("::/0"))
        #expect(v4.contains(IPAddress("127.255.0.1")!))
        #expect(!v4.contains(IPAddress("128.0.0.1")!))
        #expect(!v4.contains(IPAddress("::ffff:127.0.0.1")!))
        #expect(!v6.contains(IPAddress("127.0.0.1")!))
        #expect(CIDR("fe80::/10")!.contains(IPAddress("febf::1")!))
        #expect(!CIDR("fe80::/10")!.contains(IPAddress("fec0::1")!))
    }
}

@Suite("AddressPolicy")
struct AddressPolicyTests {
    @Test(arguments: [
        ("0.1.2.3", "unspecified"), ("10.9.8.7", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
        ("192.168.1.1", "private"), ("127.0.0.1", "loopback"), ("127.200.0.1", "loopback"), ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"), ("255.255.255.255", "broadcast"),
        ("192.0.0.8", "reserved"), ("198.19.0.1", "reserved"),
        ("::", "unspecified"), ("::1", "loopback"), ("fe80::1", "link-local"), ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"), ("ff02::1", "multicast"), ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"), ("64:ff9b::10.0.0.1", "private"), ("::127.0.0.1", "reserved"),
        ("fec0::1", "reserved"),
    ])
    func classifiesInternalAddresses(_ text: String, _ kind: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.internalKind(of: address) == kind)
        #expect(!AddressPolicy().permits(address))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:93.184.216.34", "64:ff9b::8.8.8.8"])
    func permitsPublicAddresses(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.internalKind(of: address) == nil)
        #expect(AddressPolicy().permits(address))
    }

    @Test func permitsInternalAddressesInTheAllowList() throws {
        let policy = AddressPolicy(allowed: [CIDR("127.0.0.1/32")!, CIDR("10.0.0.0/8")!])
        #expect(policy.permits(IPAddress("127.0.0.1")!))
        #expect(policy.permits(IPAddress("10.20.30.40")!))
        #expect(policy.permits(IPAddress("::ffff:127.0.0.1")!))
        #expect(!policy.permits(IPAddress("127.0.0.2")!))
        #expect(!policy.permits(IPAddress("::1")!))
    }

    @Test func parsesAnAllowListWithSpaces() throws {
        #expect(try AddressPolicy.parseAllowList("") == [])
        #expect(try AddressPolicy.parseAllowList(" 127.0.0.1/32 ,  ::1/128,10.0.0.0/8 ") == [
            CIDR("127.0.0.1/32")!, CIDR("::1/128")!, CIDR("10.0.0.0/8")!,
        ])
        #expect(throws: GatewayError.invalidURL("bad CIDR range in SWITCHBOARD_WEBHOOK_ALLOW: 10.0.0.0/99")) {
            try AddressPolicy.parseAllowList("127.0.0.1/32, 10.0.0.0/99")
        }
    }

    @Test func refusesLoopbackLiteralsByDefault() async throws {
        let error = await #expect(throws: GatewayError.self) { try await AddressPolicy().check(url: "http://127.0.0.1:9/x") }
        #expect(error?.code == "forbidden_address")
        #expect(error?.message.contains("127.0.0.1") == true && error?.message.contains("loopback") == true)

        let v6 = await #expect(throws: GatewayError.self) { try await AddressPolicy().check(url: "http://[::1]:9/") }
        #expect(v6?.code == "forbidden_address")
    }

    @Test func allowsLoopbackInTheAllowList() async throws {
        let policy = AddressPolicy(allowed: [CIDR("127.0.0.1/32")!])
        #expect(try await policy.check(url: "http://127.0.0.1:9/x") == [.v4(0x7f00_0001)])
        #expect(try await policy.check(url: "HTTPS://127.0.0.1/") == [.v4(0x7f00_0001)])
    }

    @Test func refusesNamesThatResolveToLoopback() async throws {
        let error = await #expect(throws: GatewayError.self) { try await AddressPolicy().check(url: "http://localhost:9") }
        #expect(error?.code == "forbidden_address")
        #expect(error?.message.contains("localhost") == true)

        let everything = AddressPolicy(allowed: [CIDR("127.0.0.0/8")!, CIDR("::1/128")!])
        let addresses = try await everything.check(url: "http://localhost:9")
        #expect(!addresses.isEmpty && addresses.allSatisfy { AddressPolicy.internalKind(of: $0) == "loopback" })
    }

    @Test(arguments: [
        "ftp://127.0.0.1", "http://user:pw@127.0.0.1", "http://user@127.0.0.1/", "http:///nohost", "127.0.0.1:80",
        "not a url", "http://%31%32%37.0.0.1/", "http://[::1%25lo]/", "http://[zz::1]/",
    ])
    func refusesMalformedURLs(_ url: String) async {
        let error = await #expect(throws: GatewayError.self) { try await AddressPolicy().check(url: url) }
        #expect(error?.code == "invalid_url")
    }
}
