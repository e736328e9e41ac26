import Channels
@testable import Hub
import NIOCore
import NIOWebSocket
import Testing

@Suite("MessageAssembler")
struct MessageAssemblerTests {
    private let mask: WebSocketMaskingKey = [1, 2, 3, 4]

    private func frame(_ text: String, opcode: WebSocketOpcode = .text, fin: Bool = true, rsv1: Bool = false, masked: Bool = true) -> WebSocketFrame {
        var data = ByteBuffer(string: text)
        if masked { data.webSocketMask(mask) }
        return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: masked ? mask : nil, data: data)
    }

    private func text(_ outcome: MessageAssembler.Outcome) -> String? {
        guard case .message(let message) = outcome else { return nil }
        return String(buffer: message.data)
    }

    @Test func aSingleFrameIsAWholeMessage() {
        var assembler = MessageAssembler(maxBytes: 100, allowsCompression: false)
        #expect(text(assembler.receive(frame("hello"))) == "hello")
    }

    @Test func fragmentsAreJoinedInOrder() {
        var assembler = MessageAssembler(maxBytes: 100, allowsCompression: false)
        #expect(assembler.receive(frame("he", fin: false)) == .incomplete)
        #expect(assembler.receive(frame("ll", opcode: .continuation, fin: false)) == .incomplete)
        #expect(text(assembler.receive(frame("o", opcode: .continuation))) == "hello")
        #expect(text(assembler.receive(frame("next"))) == "next", "the assembler starts afresh after a message")
    }

    @Test func anUnmaskedClientFrameIsAProtocolError() {
        var assembler = MessageAssembler(maxBytes: 100, allowsCompression: false)
        guard case .violation(let reason) = assembler.receive(frame("x", masked: false)) else { Issue.record("accepted"); return }
        #expect(reason.code == 1002)
    }

    @Test func aContinuationWithoutAMessageAndANewMessageInsideOneAreProtocolErrors() {
        var assembler = MessageAssembler(maxBytes: 100, allowsCompression: false)
        guard case .violation(let orphan) = assembler.receive(frame("x", opcode: .continuation)) else { Issue.record("accepted"); return }
        #expect(orphan.code == 1002)
        _ = assembler.receive(frame("a", fin: false))
        guard case .violation(let nested) = assembler.receive(frame("b")) else { Issue.record("accepted"); return }
        #expect(nested.code == 1002)
    }

    @Test func rsv1IsAllowedOnlyWhenCompressionWasNegotiated() {
        var plain = MessageAssembler(maxBytes: 100, allowsCompression: false)
        guard case .violation(let reason) = plain.receive(frame("x", rsv1: true)) else { Issue.record("accepted"); return }
        #expect(reason.code == 1002)
        var deflating = MessageAssembler(maxBytes: 100, allowsCompression: true)
        guard case .message(let message) = deflating.receive(frame("x", rsv1: true)) else { Issue.record("refused"); return }
        #expect(message.isCompressed)
    }

    @Test func aMessageOverTheLimitCloses1009EvenWhenFragmented() {
        var assembler = MessageAssembler(maxBytes: 8, allowsCompression: false)
        #expect(assembler.receive(frame("12345", fin: false)) == .incomplete)
        #expect(assembler.receive(frame("6789", opcode: .continuation)) == .violation(.messageTooLarge))
    }
}
