import Channels
@testable import Hub
import NIOCore
import Testing

@Suite("PerMessageDeflate")
struct PerMessageDeflateTests {
    typealias Parameters = PerMessageDeflate.Parameters

    @Test func aPlainOfferIsAcceptedAsIs() {
        let accepted = Parameters.negotiate(["permessage-deflate; client_max_window_bits"])
        #expect(accepted == Parameters())
        #expect(accepted?.responseHeader == "permessage-deflate")
    }

    @Test func noContextTakeoverAndTheServerWindowAreHonoured() {
        let accepted = Parameters.negotiate(["permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10"])
        #expect(accepted == Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10))
        #expect(accepted?.responseHeader
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")
    }

    @Test func anOfferTheHubCannotHonourIsPassedOverForTheNext() {
        let offers = ["permessage-deflate; server_max_window_bits=8, permessage-deflate; unknown_parameter", "x-webkit-deflate-frame, permessage-deflate"]
        #expect(Parameters.negotiate(offers) == Parameters())
        #expect(Parameters.negotiate(["permessage-deflate; server_max_window_bits=8"]) == nil)
        #expect(Parameters.negotiate(["permessage-deflate; server_no_context_takeover; server_no_context_takeover"]) == nil)
        #expect(Parameters.negotiate(["permessage-deflate; client_max_window_bits=99"]) == nil)
        #expect(Parameters.negotiate([]) == nil)
    }

    @Test(arguments: [false, true])
    func messagesSurviveARoundTripWithAndWithoutContextTakeover(resetting: Bool) throws {
        let parameters = Parameters(serverNoContextTakeover: resetting, clientNoContextTakeover: resetting)
        let sender = try PerMessageDeflate(parameters)
        // The receiving side inflates what the hub deflates: the same stream roles, swapped.
        let receiver = try PerMessageDeflate(parameters)
        for message in [String(repeating: "switchboard ", count: 300), "{\"op\":\"ping\"}", String(repeating: "x", count: 5000)] {
            let deflated = try sender.compress(ByteBuffer(string: message), allocator: .init())
            #expect(deflated.readableBytes < message.utf8.count || message.utf8.count < 100)
            let inflated = try receiver.decompress(deflated, maxBytes: 1 << 16, allocator: .init())
            #expect(String(buffer: inflated) == message)
        }
    }

    @Test func aMessageInflatingPastTheLimitIsRefused() throws {
        let deflate = try PerMessageDeflate(Parameters())
        let bomb = try deflate.compress(ByteBuffer(string: String(repeating: "a", count: 100_000)), allocator: .init())
        #expect(throws: CloseReason.messageTooLarge) { try PerMessageDeflate(Parameters()).decompress(bomb, maxBytes: 1000, allocator: .init()) }
        #expect(throws: CloseReason.invalidPayload("the message is not valid deflate data")) {
            try PerMessageDeflate(Parameters()).decompress(ByteBuffer(string: "not deflate at all"), maxBytes: 1000, allocator: .init())
        }
    }
}
