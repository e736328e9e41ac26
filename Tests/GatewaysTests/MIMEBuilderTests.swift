import Foundation
import NIOCore
import Testing
@testable import Gateways

@Suite("MIMEBuilder")
struct MIMEBuilderTests {
    private let date = Date(timeIntervalSince1970: 1_000_000_000)

    private func build(_ message: MailMessage, eightBit: Bool = false) throws -> String {
        String(decoding: try MIMEBuilder(allowEightBit: eightBit).build(message, boundary: "b1"), as: UTF8.self)
    }

    @Test func plainASCIIMessageIsOneSevenBitPart() throws {
        let message = MailMessage(
            from: Mail.address("hub@switchboard.test", name: "Switchboard"), to: [Mail.address("ann@example.test")],
            subject: "Hello", text: "Hi Ann\nBye", messageID: "id1@switchboard.test", date: date)
        #expect(try build(message) == """
            From: Switchboard <hub@switchboard.test>\r
            To: ann@example.test\r
            Subject: Hello\r
            Date: Sun, 09 Sep 2001 01:46:40 +0000\r
            Message-ID: <id1@switchboard.test>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            Hi Ann\r
            Bye\r

            """)
    }

    @Test func textAndHTMLWithUTF8HeadersAreEncodedWordsAndQuotedPrintable() throws {
        let message = MailMessage(
            from: Mail.address("hub@switchboard.test", name: "Zoë"),
            to: [Mail.address("ann@example.test"), Mail.address("bob@example.test", name: "Bob Smith")],
            subject: "Grüße aus Köln", text: "Grüße\n", html: "<p>Grüße</p>", messageID: "id2@switchboard.test", date: date)
        #expect(try build(message) == """
            From: =?UTF-8?B?Wm/Dqw==?= <hub@switchboard.test>\r
            To: ann@example.test, Bob Smith <bob@example.test>\r
            Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r
            Date: Sun, 09 Sep 2001 01:46:40 +0000\r
            Message-ID: <id2@switchboard.test>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Gr=C3=BC=C3=9Fe\r
            \r
            --b1\r
            Content-Type: text/html; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Gr=C3=BC=C3=9Fe</p>\r
            --b1--\r

            """)
    }

    @Test func eightBitBodiesOnlyWhenAllowed() throws {
        let message = MailMessage(from: Mail.address("hub@switchboard.test"), to: [Mail.address("ann@example.test")], subject: "x", text: "Grüße")
        #expect(try build(message, eightBit: true).hasSuffix("Content-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n"))
        #expect(try build(message, eightBit: false).hasSuffix("Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"))
    }

    @Test func longUTF8SubjectFoldsIntoEncodedWordsUnder76Characters() throws {
        let subject = String(repeating: "Überraschung für Sie! ", count: 8)
        let message = MailMessage(from: Mail.address("hub@switchboard.test"), to: [Mail.address("ann@example.test")], subject: subject, text: "x")
        let text = try build(message)
        let field = String(text[text.range(of: "Subject:")!.lowerBound..<text.range(of: "\r\nDate:")!.lowerBound])
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" =?UTF-8?B?") })
        // Each encoded-word decodes on its own, and together they give the subject back.
        let decoded = lines.flatMap { $0.split(separator: " ") }.filter { $0.hasPrefix("=?") }.map { word in
            String(decoding: Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!, as: UTF8.self)
        }
        #expect(decoded.joined() == subject)
    }

    @Test func longASCIISubjectFoldsAtSpaces() throws {
        let subject = (1...20).map { "word\($0)" }.joined(separator: " ")
        let message = MailMessage(from: Mail.address("hub@switchboard.test"), to: [Mail.address("ann@example.test")], subject: subject, text: "x")
        let text = try build(message)
        #expect(text.contains("Subject: word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\r\n word12 word13"))
    }

    @Test func listUnsubscribeWithHTTPSAddsOneClickPost() throws {
        var message = Mail.message()
        message.listUnsubscribe = ["https://switchboard.test/u/1", "mailto:unsub@switchboard.test"]
        let text = try build(message)
        // Both do not fit on one 76-character line, so the field folds after the comma.
        #expect(text.contains("List-Unsubscribe: <https://switchboard.test/u/1>,\r\n <mailto:unsub@switchboard.test>\r\n"))
        #expect(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
        message.listUnsubscribe = ["mailto:unsub@switchboard.test"]
        #expect(try !build(message).contains("List-Unsubscribe-Post"))
    }

    @Test func lineBreakInHeaderValueIsRefused() throws {
        var message = Mail.message(subject: "Hi\r\nBcc: eve@example.test")
        #expect(throws: EmailError.self) { try build(message) }
        message = Mail.message()
        message.listUnsubscribe = ["https://x.test/\r\nBcc: eve@example.test"]
        #expect(throws: EmailError.self) { try build(message) }
        #expect(throws: EmailError.self) { try MailAddress("ann@example.test", name: "Ann\nBcc: eve@example.test") }
        #expect(throws: EmailError.self) { try MailAddress("ann@example.test>\r\nBcc: eve@example.test") }
    }

    @Test func messageIDsAreUniqueInTheSendersDomain() {
        let first = Mail.message(), second = Mail.message()
        #expect(first.messageID != second.messageID)
        #expect(first.messageID.hasSuffix("@switchboard.test"))
    }

    @Test func dateIsRFC5322InUTC() {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(date) == "Sun, 09 Sep 2001 01:46:40 +0000")
    }
}

@Suite("MIME quoted-printable and dot-stuffing")
struct MIMEEncodingTests {
    @Test func quotedPrintableSoftBreaksAt76AndEscapesTrailingSpace() {
        let line = String(repeating: "a", count: 74) + "é b "
        #expect(QuotedPrintable.encode(line) == String(repeating: "a", count: 74) + "=\r\n=C3=A9 b=20")
        #expect(QuotedPrintable.encode("a=b\r\nc\rd\ne") == "a=3Db\r\nc\r\nd\r\ne")
        #expect(QuotedPrintable.encode(String(repeating: "x", count: 76)) == String(repeating: "x", count: 76))
        #expect(QuotedPrintable.encode(String(repeating: "x", count: 77)) == String(repeating: "x", count: 75) + "=\r\nxx")
    }

    @Test func linesStartingWithADotAreStuffed() {
        let data = SMTPData.stuffed(Array(".one\r\ntwo\r\n..three\r\n.\r\n".utf8))
        #expect(String(buffer: data) == "..one\r\ntwo\r\n...three\r\n..\r\n.\r\n")
        #expect(String(buffer: SMTPData.stuffed(Array("no break".utf8))) == "no break\r\n.\r\n")
    }
}
