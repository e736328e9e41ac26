import Foundation

/// Writes one header field, folded so that no line passes 76 characters where it can be
/// helped: plain ASCII words are folded at spaces, and anything else goes out as RFC 2047
/// `=?UTF-8?B?...?=` encoded-words, each cut between characters so that every one
/// decodes on its own.
struct HeaderEncoding {
    /// The longest line the writer aims for.
    static let lineLimit = 76

    private var lines: [String] = []
    private var current: String
    /// Words on the current line: a line is only folded after one, so none is empty.
    private var wordsOnLine = 0

    /// Starts the field `name:`.
    init(name: String) {
        current = name + ":"
    }

    /// The field so far, lines joined with CRLF, without a final CRLF.
    var field: String { (lines + [current]).joined(separator: "\r\n") }

    /// Appends unstructured text (a subject): plain words when it is short printable
    /// ASCII without `=?`, encoded-words otherwise.
    mutating func appendText(_ text: String) {
        if Self.isPlain(text) {
            for word in text.split(separator: " ", omittingEmptySubsequences: false) { appendWord(String(word)) }
        } else {
            appendEncoded(text)
        }
    }

    /// Appends a display name: atoms as they are, other ASCII as a quoted string, and
    /// anything else as encoded-words.
    mutating func appendPhrase(_ phrase: String) {
        if Self.isPlain(phrase), phrase.unicodeScalars.allSatisfy({ Self.atext.contains($0) || $0 == " " }) {
            appendText(phrase)
        } else if Self.isPlain(phrase) {
            let escaped = phrase.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            appendWord("\"" + escaped + "\"")
        } else {
            appendEncoded(phrase)
        }
    }

    /// Appends one word after a space, folding first when the line would grow past the
    /// limit. Empty words (from runs of spaces) are kept on the line, so no folded line is
    /// only whitespace.
    mutating func appendWord(_ word: String) {
        if !word.isEmpty, current.utf8.count + 1 + word.utf8.count > Self.lineLimit { fold() }
        current += " " + word
        if !word.isEmpty { wordsOnLine += 1 }
    }

    /// Appends text with no space before it (a comma between addresses).
    mutating func appendAttached(_ text: String) {
        current += text
    }

    /// Appends `text` as encoded-words, each filling the room left on its line.
    private mutating func appendEncoded(_ text: String) {
        var characters = Substring(text)
        while !characters.isEmpty {
            var chunk: [UInt8] = []
            // " =?UTF-8?B?" + "?=" take 13 columns; base64 gives 4 characters per 3 bytes.
            let room = max(Self.lineLimit - current.utf8.count - 13, 0) / 4 * 3
            while let next = characters.first, chunk.count + next.utf8.count <= room {
                chunk += next.utf8
                characters.removeFirst()
            }
            if chunk.isEmpty, wordsOnLine > 0 {
                fold()
                continue
            }
            if chunk.isEmpty, let next = characters.popFirst() { chunk = Array(next.utf8) }  // one character wider than a line
            current += " =?UTF-8?B?" + Data(chunk).base64EncodedString() + "?="
            wordsOnLine += 1
        }
    }

    /// Ends the current line when it holds a word; the next one starts with a space.
    private mutating func fold() {
        guard wordsOnLine > 0 else { return }
        lines.append(current)
        current = ""
        wordsOnLine = 0
    }

    /// Printable ASCII, no encoded-word opener, and no word too long to fold.
    private static func isPlain(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (32...126).contains($0.value) } && !text.contains("=?")
            && text.split(separator: " ").allSatisfy { $0.utf8.count <= 70 }
    }

    /// RFC 5322 `atext`: what a display name may hold unquoted.
    private static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".unicodeScalars)
}
