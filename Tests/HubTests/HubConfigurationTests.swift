import Channels
import Foundation
@testable import Hub
import Logging
import Testing

@Suite("HubConfiguration")
struct HubConfigurationTests {
    func load(_ json: String, environment: [String: String] = [:]) throws -> HubConfiguration {
        let path = NSTemporaryDirectory() + "config-\(UUID()).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return try HubConfiguration.load(file: path, environment: environment, logger: Logger(label: "test"))
    }

    @Test func aFileNeedsOnlyTheKeysItChanges() throws {
        let configuration = try load(#"{"port": 9000, "namespaces": {"orders": {"publish": {"roles": ["service"]}, "historySize": 50}}}"#)
        #expect(configuration.port == 9000)
        #expect(configuration.host == "127.0.0.1")
        let orders = try #require(configuration.effectiveNamespaces["orders"])
        #expect(orders.historySize == 50)
        #expect(orders.publish.roles == [.service])
        #expect(orders.subscribe.roles.isEmpty)
        #expect(configuration.effectiveNamespaces["chat"] != nil)
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try load(#"{"port": 9000}"#, environment: ["SWITCHBOARD_PORT": "9100", "SWITCHBOARD_DURABILITY": "normal"])
        #expect(configuration.port == 9100)
        #expect(configuration.durability == .normal)
    }

    @Test func badValuesAreClearErrors() {
        #expect(throws: HubError.self) { try load("[1]") }
        #expect(throws: HubError.self) { try load(#"{"port": "eighty"}"#) }
        #expect(throws: HubError.self) { try load("{}", environment: ["SWITCHBOARD_PORT": "-1"]) }
        #expect(throws: HubError.self) { try HubConfiguration.load(file: "/no/such/file.json", logger: Logger(label: "t")) }
    }
}
