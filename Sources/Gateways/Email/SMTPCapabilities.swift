/// What the server advertised in its EHLO reply (RFC 5321 §4.1.1.1); empty after HELO.
struct SMTPCapabilities: Sendable, Equatable {
    /// PIPELINING (RFC 2920): MAIL, RCPT and DATA may be sent without waiting.
    var pipelining = false
    /// SIZE (RFC 1870): the largest message accepted; nil when not advertised or 0 (no limit).
    var maxSize: Int?
    /// 8BITMIME (RFC 6152): bodies may hold raw 8-bit bytes.
    var eightBitMIME = false
    /// STARTTLS (RFC 3207).
    var startTLS = false
    /// The AUTH mechanisms, upper-cased, e.g. `PLAIN`, `LOGIN`.
    var authMechanisms: Set<String> = []

    /// Reads the lines of a 250 EHLO reply; the first line is the server's greeting.
    init(ehlo lines: [String]) {
        for line in lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            switch keyword {
            case "PIPELINING": pipelining = true
            case "8BITMIME": eightBitMIME = true
            case "STARTTLS": startTLS = true
            case "SIZE": maxSize = words.dropFirst().first.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            case "AUTH": authMechanisms.formUnion(words.dropFirst().map(String.init))
            default: continue
            }
        }
    }

    /// No extensions: what a HELO-only server offers.
    init() {}
}
