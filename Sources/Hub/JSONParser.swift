/// A strict RFC 8259 parser from text to ``JSONValue``, for client frames and REST bodies;
/// an object naming a member twice is refused, as I-JSON (RFC 7493) requires.
///
/// `JSONDecoder` finds a value's type by trying each in turn and catching the failures,
/// which made decoding the largest cost of a publish; this reads each byte once. Nesting
/// is limited to ``maxDepth`` so hostile input cannot exhaust the stack.
struct JSONParser {
    /// Why the text is not acceptable JSON.
    struct Invalid: Error, Equatable {}

    /// The deepest nesting of arrays and objects accepted.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// The top-level member whose text is kept, and where its value was found.
    private let keptMember: String?
    private var keptRange: Range<Int>?

    private init(_ text: String, keeping member: String?) {
        bytes = Array(text.utf8)
        keptMember = member
    }

    /// Parses one JSON value, allowing only white space around it.
    static func parse(_ text: String) throws(Invalid) -> JSONValue {
        try parse(text, keepingTextOf: nil).value
    }

    /// Parses one JSON value and returns, beside it, the text of the top-level object's
    /// member `member` as the client wrote it, minus insignificant white space (nil when
    /// there is no such member).
    ///
    /// A published event's `data` is stored this way: its key order and number spellings
    /// (such as integers past 64 bits) are the sender's, and it is not written out again.
    static func parse(_ text: String, keepingTextOf member: String?) throws(Invalid) -> (value: JSONValue, memberText: String?) {
        var parser = JSONParser(text, keeping: member)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw Invalid() }
        return (value, parser.keptRange.map { Self.compact(parser.bytes[$0]) })
    }

    /// Valid JSON text without the white space outside its strings.
    private static func compact(_ text: ArraySlice<UInt8>) -> String {
        guard text.contains(where: isWhitespace) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var inString = false, escaped = false
        for byte in text {
            switch (inString, byte) {
            case (true, _) where escaped: escaped = false
            case (true, UInt8(ascii: "\\")): escaped = true
            case (_, UInt8(ascii: "\"")): inString.toggle()
            case (false, _) where isWhitespace(byte): continue
            default: break
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func value() throws(Invalid) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw Invalid() }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func object() throws(Invalid) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw Invalid() }
            skipWhitespace()
            let start = index
            // Names are unique (I-JSON, RFC 7493): kept as sent, a repeated one would reach
            // each receiver to be read its own way.
            guard members.updateValue(try value(), forKey: key) == nil else { throw Invalid() }
            if depth == 1, key == keptMember { keptRange = start..<index }
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw Invalid() }
        return .object(members)
    }

    private mutating func array() throws(Invalid) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try value())
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw Invalid() }
        return .array(elements)
    }

    /// Reads a string starting at its opening quote.
    private mutating func string() throws(Invalid) -> String {
        index += 1
        // Most strings have no escapes: then they are the bytes up to the closing quote.
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
        if peek() == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<index - 1], as: UTF8.self)
        }
        var out = Array(bytes[start..<index])
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw Invalid()
            default:
                out.append(byte)
            }
        }
        throw Invalid()
    }

    private mutating func escape(into out: inout [UInt8]) throws(Invalid) {
        guard let byte = peek() else { throw Invalid() }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw Invalid() }
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Invalid() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Invalid() }
            out.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw Invalid()
        }
    }

    private mutating func hex4() throws(Invalid) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Invalid() }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Self.hexDigit(byte) else { throw Invalid() }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`: an integer when it has neither
    /// fraction nor exponent and fits 64 bits, else a finite double.
    private mutating func number() throws(Invalid) -> JSONValue {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek(), Self.isDigit(first) else { throw Invalid() }
        if first == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard let digit = peek(), Self.isDigit(digit) else { throw Invalid() }
            skipDigits()
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isInteger = false
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard let digit = peek(), Self.isDigit(digit) else { throw Invalid() }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw Invalid() }
        return .number(double)
    }

    private mutating func literal(_ word: StaticString) throws(Invalid) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Invalid() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw Invalid()
        }
        index += count
    }

    private mutating func enter() throws(Invalid) {
        index += 1
        depth += 1
        guard depth <= Self.maxDepth else { throw Invalid() }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipDigits() {
        while let byte = peek(), Self.isDigit(byte) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), Self.isWhitespace(byte) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
