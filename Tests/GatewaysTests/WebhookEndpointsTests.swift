@testable import Gateways
import Testing

@Suite("WebhookEndpoints")
struct WebhookEndpointsTests {
    @Test func endpointIDsAreUniqueAndURLSafe() {
        let ids = (0..<1000).map { _ in WebhookEndpoints.newEndpointID() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.hasPrefix("ep_") && id.count == 27)
            #expect(id.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
    }
}
