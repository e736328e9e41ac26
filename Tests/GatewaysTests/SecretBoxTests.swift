import Crypto
import Foundation
import Testing

@testable import Gateways

@Suite("SecretBox")
struct SecretBoxTests {
    let box = SecretBox(key: SymmetricKey(size: .bits256))
    let plaintext = Array("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".utf8)

    @Test func opensWhatItSealed() throws {
        let sealed = try box.seal(plaintext)
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try box.open(sealed) == plaintext)
    }

    @Test func usesAFreshNonceEachTime() throws {
        #expect(try box.seal(plaintext) != box.seal(plaintext))
    }

    @Test func detectsTampering() throws {
        var sealed = try box.seal(plaintext)
        sealed[20] ^= 0x01
        #expect(throws: GatewayError.cryptoFailure("cannot open the sealed secret: wrong key or tampered data")) {
            try box.open(sealed)
        }
        #expect(throws: GatewayError.self) { try box.open([1, 2, 3]) }
    }

    @Test func refusesAnotherKey() throws {
        let sealed = try box.seal(plaintext)
        let other = SecretBox(key: SymmetricKey(size: .bits256))
        #expect(throws: GatewayError.self) { try other.open(sealed) }
    }

    @Test func readsABase64KeyOf32BytesOnly() throws {
        let key = Data(repeating: 9, count: 32).base64EncodedString()
        let sealed = try SecretBox(base64Key: key).seal(plaintext)
        #expect(try SecretBox(base64Key: " \(key)\n").open(sealed) == plaintext)
        for bad in ["", "not base64", Data(repeating: 9, count: 16).base64EncodedString()] {
            #expect(throws: GatewayError.invalidKey("the secret key is not base64 of 32 bytes")) {
                try SecretBox(base64Key: bad)
            }
        }
    }

    @Test func loadOrCreateWritesAPrivateKeyFileAndReloadsIt() throws {
        let directory = NSTemporaryDirectory() + "/gateways-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/webhook.key"

        let created = try SecretBox.loadOrCreate(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let sealed = try created.seal(plaintext)
        let reloaded = try SecretBox.loadOrCreate(path: path)
        #expect(try reloaded.open(sealed) == plaintext)
    }

    @Test func loadOrCreateRefusesACorruptKeyFile() throws {
        let directory = NSTemporaryDirectory() + "/gateways-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/webhook.key"
        try "garbage".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: GatewayError.self) { try SecretBox.loadOrCreate(path: path) }
        #expect(throws: GatewayError.self) { try SecretBox.loadOrCreate(path: directory + "/missing/webhook.key") }
    }
}
