import Foundation
import Testing

@testable import Gateways

@Suite("WebhookSecret")
struct WebhookSecretTests {
    @Test func decodesTheSpecificationSecret() throws {
        let secret = try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(secret.bytes.count == 24)
        #expect(secret.encoded == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test(arguments: [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // no prefix
        "whsec_not*base64!",  // bad base64
        "whsec_" + Data(repeating: 7, count: 8).base64EncodedString(),  // 8 bytes
        "whsec_" + Data(repeating: 7, count: 100).base64EncodedString(),  // 100 bytes
        "whsec_",
    ])
    func refusesInvalidSecrets(_ encoded: String) {
        let error = #expect(throws: GatewayError.self) { try WebhookSecret(encoded: encoded) }
        #expect(error?.code == "invalid_secret")
    }

    @Test func generatesDistinct32ByteSecretsThatRoundTrip() throws {
        let first = WebhookSecret.generate()
        let second = WebhookSecret.generate()
        #expect(first.bytes.count == 32)
        #expect(first != second)
        #expect(try WebhookSecret(encoded: first.encoded) == first)
    }
}

@Suite("WebhookSigner")
struct WebhookSignerTests {
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test func matchesTheSpecificationVector() throws {
        let secret = try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(
            WebhookSigner.signature(id: id, timestamp: timestamp, body: body, key: WebhookSigningKey(secret))
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func aKeyReusedForManyMessagesSignsEachAsAFreshKeyWould() throws {
        let key = WebhookSigningKey(try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let first = WebhookSigner.signature(id: id, timestamp: timestamp, body: body + [0x20], key: key)
        #expect(WebhookSigner.signature(id: id, timestamp: timestamp, body: body, key: key)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(WebhookSigner.signature(id: id, timestamp: timestamp, body: body + [0x20], key: key) == first)
    }

    @Test func headerListsOneSignaturePerSecretInOrder() throws {
        let current = try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let previous = WebhookSecret(bytes: Array(repeating: 1, count: 32))
        let header = WebhookSigner.header(
            id: id, timestamp: timestamp, body: body, keys: [WebhookSigningKey(current), WebhookSigningKey(previous)])
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2)
        #expect(parts[0] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(parts[1] == WebhookSigner.signature(id: id, timestamp: timestamp, body: body, key: WebhookSigningKey(previous)))
        #expect(parts[0] != parts[1])
    }

    @Test func signatureChangesWithTheBody() throws {
        let secret = try WebhookSecret(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let other = WebhookSigner.signature(id: id, timestamp: timestamp, body: body + [0x20], key: WebhookSigningKey(secret))
        #expect(other != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
