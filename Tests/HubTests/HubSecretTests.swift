import Foundation
@testable import Hub
import Testing

@Suite("HubSecret")
struct HubSecretTests {
    /// A data directory path in a fresh temporary directory; nothing is there yet.
    private func newDataDirectory() -> String {
        NSTemporaryDirectory() + "switchboard-secret-\(UUID().uuidString)/data"
    }

    @Test func aNewSecretIsKeptInAFileOfMode0600AndReadBack() throws {
        let directory = newDataDirectory()
        let secret = try HubSecret.loadOrCreate(dataDirectory: directory)
        #expect(secret.count == 48)
        let attributes = try FileManager.default.attributesOfItem(atPath: HubSecret.path(dataDirectory: directory))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try HubSecret.loadOrCreate(dataDirectory: directory) == secret)
    }

    @Test func hubsStartingAtOnceOnANewDirectoryShareOneSecret() async throws {
        let directory = newDataDirectory()
        let secrets = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask { try HubSecret.loadOrCreate(dataDirectory: directory) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(secrets.count == 16)
        #expect(Set(secrets).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["secret"], "no temporary file is left")
    }
}
