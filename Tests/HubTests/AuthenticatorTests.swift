import Channels
import Foundation
@testable import Hub
import Store
import Testing

@Suite("Authenticator")
struct AuthenticatorTests {
    func make() async throws -> Authenticator {
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "auth-\(UUID()).sqlite")
        return await Authenticator(secret: Array(repeating: 7, count: 48), store: store)
    }

    func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    @Test func acceptsItsOwnTokens() async throws {
        let authenticator = try await make()
        let token = try await authenticator.mint(subject: "u1", roles: [.agent], topics: ["chat:*"], ttl: 60)
        let authentication = try await authenticator.authenticate(token)
        #expect(authentication.principal == Principal(subject: "u1", roles: [.agent], topicPatterns: ["chat:*"]))
    }

    @Test func refusesAlgNoneExpiredTamperedAndUnknownRoles() async throws {
        let authenticator = try await make()
        let good = try await authenticator.mint(subject: "u1", roles: [.agent], ttl: 60)
        let parts = good.split(separator: ".").map(String.init)
        let claims = base64URL(#"{"sub":"u1","roles":["admin"],"exp":4102444800}"#)
        let tokens = [
            base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + claims + ".",
            parts[0] + "." + claims + "." + parts[2],
            try await authenticator.mint(subject: "u1", roles: [.agent], ttl: -5),
            parts[0] + "." + base64URL(#"{"sub":"u1","roles":["wizard"],"exp":4102444800}"#) + "." + parts[2],
            "",
            "a.b.c",
        ]
        for token in tokens {
            await #expect(throws: HubError.self, "\(token)") { try await authenticator.authenticate(token) }
        }
    }

    @Test func apiKeysAreStoredOnlyAsHashes() async throws {
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "keys-\(UUID()).sqlite")
        let authenticator = await Authenticator(secret: Array(repeating: 1, count: 32), store: store)
        let key = try await Authenticator.createAPIKey(role: .service, store: store)
        #expect(try await store.apiKey(hash: Authenticator.hash(key)) != nil)
        #expect(try await authenticator.authenticate(key).principal.roles == [.service])
        await #expect(throws: HubError.self) { try await authenticator.authenticate(key + "x") }
    }
}
