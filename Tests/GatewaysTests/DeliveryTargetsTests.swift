import Crypto
import Foundation
import Store
import Testing

@testable import Gateways

@Suite("DeliveryTargets")
struct DeliveryTargetsTests {
    let box = SecretBox(key: SymmetricKey(size: .bits256))
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let body = Array(#"{"test": 2432232314}"#.utf8)

    /// Targets over a store that is never used: making a target only opens sealed secrets.
    func targets() throws -> DeliveryTargets {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("targets-\(UUID()).sqlite").path
        let store = try SQLiteStore(path: path)
        return DeliveryTargets(endpoints: WebhookEndpoints(store: store, box: box, settings: WebhookSettings()))
    }

    func endpoint(url: String, secret: WebhookSecret) throws -> WebhookEndpointRecord {
        WebhookEndpointRecord(
            id: "ep_1", url: url, events: ["*"], topics: [], description: nil, enabled: true,
            sealedSecret: try box.seal(secret.bytes), createdMilliseconds: 0, updatedMilliseconds: 0)
    }

    func signatures(_ target: DeliveryTarget, at now: Int64) -> String {
        WebhookSigner.header(id: id, timestamp: 1, body: body, keys: target.keys(nowMilliseconds: now))
    }

    @Test func aCachedTargetIsReusedUntilTheURLOrTheSecretChanges() throws {
        let targets = try targets()
        let first = WebhookSecret.generate()
        var record = try endpoint(url: "http://127.0.0.1:9/a", secret: first)
        let target = try targets.target(for: record)
        #expect(target.host == "127.0.0.1")
        #expect(signatures(target, at: 0) == WebhookSigner.signature(id: id, timestamp: 1, body: body, key: WebhookSigningKey(first)))
        #expect(try targets.target(for: record).matches(record))

        record.url = "http://127.0.0.2:9/a"
        #expect(!target.matches(record))
        #expect(try targets.target(for: record).host == "127.0.0.2")

        // A rotation: the new secret signs first, the previous one until the overlap ends.
        let second = WebhookSecret.generate()
        record.sealedPreviousSecret = record.sealedSecret
        record.sealedSecret = try box.seal(second.bytes)
        record.previousSecretExpiresMilliseconds = 1000
        let rotated = try targets.target(for: record)
        let keys = [WebhookSigningKey(second), WebhookSigningKey(first)]
        #expect(signatures(rotated, at: 999) == WebhookSigner.header(id: id, timestamp: 1, body: body, keys: keys))
        #expect(signatures(rotated, at: 1000) == WebhookSigner.header(id: id, timestamp: 1, body: body, keys: [keys[0]]))
    }

    @Test func aTargetIsNotMadeForAnInvalidURL() throws {
        let error = #expect(throws: GatewayError.self) {
            try targets().target(for: try endpoint(url: "ftp://127.0.0.1/", secret: .generate()))
        }
        #expect(error?.code == "invalid_url")
    }
}
