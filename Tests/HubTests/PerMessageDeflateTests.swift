import Channels
@testable import Hub
import NIOCore
import NIOEmbedded
import Testing

@Suite("PerMessageDeflate")
struct PerMessageDeflateTests {
    typealias Parameters = PerMessageDeflate.Parameters

    @Test func aPlainOfferIsAcceptedWithoutServerContextTakeover() {
        let accepted = Parameters.negotiate(["permessage-deflate; client_max_window_bits"])
        #expect(accepted == Parameters())
        #expect(accepted?.responseHeader == "permessage-deflate; server_no_context_takeover")
    }

    @Test func clientNoContextTakeoverAndTheServerWindowAreHonoured() {
        let accepted = Parameters.negotiate(["permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10"])
        #expect(accepted == Parameters(clientNoContextTakeover: true, serverMaxWindowBits: 10))
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
    func messagesSurviveARoundTripWithAndWithoutClientContextTakeover(resetting: Bool) throws {
        let loop = EmbeddedEventLoop()
        let parameters = Parameters(clientNoContextTakeover: resetting)
        let sender = try PerMessageDeflate(parameters, on: loop)
        // The receiving side inflates what the hub deflates: the same stream roles, swapped.
        let receiver = try PerMessageDeflate(parameters, on: loop)
        for message in [String(repeating: "switchboard ", count: 300), "{\"op\":\"ping\"}", String(repeating: "x", count: 5000)] {
            let deflated = try sender.compress(ByteBuffer(string: message), allocator: .init())
            #expect(deflated.readableBytes < message.utf8.count || message.utf8.count < 100)
            let inflated = try receiver.decompress(deflated, maxBytes: 1 << 16, allocator: .init())
            #expect(String(buffer: inflated) == message)
        }
    }

    @Test func connectionsOfOneEventLoopShareItsCompressor() throws {
        let loop = EmbeddedEventLoop()
        let first = try PerMessageDeflate(Parameters(), on: loop)
        let second = try PerMessageDeflate(Parameters(), on: loop)
        let message = ByteBuffer(string: String(repeating: "shared ", count: 100))
        let once = try first.compress(message, allocator: .init())
        #expect(try second.compress(message, allocator: .init()) == once, "no context carries over from one message to the next")
        #expect(try first.compress(message, allocator: .init()) == once)
    }

    @Test func messagesEndingTheirDeflateStreamWithAFinalBlockAreEachInflated() throws {
        // Each from a fresh `zlib.compressobj(wbits=-15)`: `compress`, then `flush()`, which ends in a BFINAL block.
        let messages: [(deflated: [UInt8], text: String)] = [
            ([171, 86, 202, 47, 80, 178, 82, 42, 200, 204, 75, 87, 210, 81, 202, 76, 81, 178, 50, 172, 5, 0], #"{"op":"ping","id":1}"#),
            ([171, 86, 202, 47, 80, 178, 82, 42, 200, 204, 75, 87, 210, 81, 202, 76, 81, 178, 50, 170, 5, 0], #"{"op":"ping","id":2}"#),
        ]
        let receiver = try PerMessageDeflate(Parameters(), on: EmbeddedEventLoop())
        for (deflated, text) in messages {
            let inflated = try receiver.decompress(ByteBuffer(bytes: deflated), maxBytes: 1 << 16, allocator: .init())
            #expect(String(buffer: inflated) == text)
        }
    }

    @Test func aMessageInflatingPastTheLimitIsRefused() throws {
        let loop = EmbeddedEventLoop()
        let deflate = try PerMessageDeflate(Parameters(), on: loop)
        let bomb = try deflate.compress(ByteBuffer(string: String(repeating: "a", count: 100_000)), allocator: .init())
        #expect(throws: CloseReason.messageTooLarge) { try PerMessageDeflate(Parameters(), on: loop).decompress(bomb, maxBytes: 1000, allocator: .init()) }
        #expect(throws: CloseReason.invalidPayload("the message is not valid deflate data")) {
            try PerMessageDeflate(Parameters(), on: loop).decompress(ByteBuffer(string: "not deflate at all"), maxBytes: 1000, allocator: .init())
        }
    }
}
