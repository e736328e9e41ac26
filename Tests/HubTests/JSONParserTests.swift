import Foundation
@testable import Hub
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    @Test(arguments: [
        #"{"a":[1,-2,3.5,-0.25,true,false,null],"b":{"c":"d"}}"#,
        #"  [ "x" , { } , [ ] ]  "#,
        #""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00""#,
        "\"caf\u{e9} \u{1F600}\"",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0", "-0", "1e-7",
    ])
    func agreesWithJSONDecoderOnValidText(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONParser.parse(text).text == expected.text)
    }

    @Test func keepsTheTextOfOneTopLevelMemberOnly() throws {
        let text = #"{"inner":{"data":[2]},"data" : [ "x y" , {"k" :3}, "\\" ] }"#
        let parsed = try JSONParser.parse(text, keepingTextOf: "data")
        #expect(parsed.memberText == #"["x y",{"k":3},"\\"]"#)
        #expect(parsed.value == (try JSONParser.parse(text)))
        #expect(try JSONParser.parse(#"{"other":1}"#, keepingTextOf: "data").memberText == nil)
        #expect(try JSONParser.parse(#"["data"]"#, keepingTextOf: "data").memberText == nil)
    }

    @Test func exponentsAndFractionsAreNumbersAndPlainDigitsIntegers() throws {
        #expect(try JSONParser.parse("[1E3,-0.25e2,7]") == .array([.number(1000), .number(-25), .integer(7)]))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "[,1]", #"{"a":}"#, #"{"a" 1}"#, #"{a:1}"#, "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "[1] x", "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\u12\"", "\"tab\there\"",
        "NaN", "Infinity", "1e400", #"{"a":1,"a":1}"#, #"[{"b":{"c":1,"c":2}}]"#,
    ])
    func refusesInvalidText(_ text: String) {
        #expect(throws: JSONParser.Invalid.self) { try JSONParser.parse(text) }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParser.Invalid.self) { try JSONParser.parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(try JSONParser.parse(allowed) != .null)
    }

    @Test func roundTripsRandomValuesWrittenByJSONEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let value = Self.random(depth: 0, using: &generator)
            let text = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            #expect(try JSONParser.parse(text) == value, "\(text)")
        }
    }

    static func random(depth: Int, using generator: inout SystemRandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
        case 3: return .number(Double.random(in: -1e9...1e9, using: &generator))
        case 4:
            let scalars = (0..<Int.random(in: 0..<12, using: &generator)).map { _ in
                Unicode.Scalar(UInt32.random(in: 1...0x2FFF, using: &generator)).map(Character.init) ?? "x"
            }
            return .string(String(scalars))
        case 5: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0..<4, using: &generator) { members["k\(index)"] = random(depth: depth + 1, using: &generator) }
            return .object(members)
        }
    }
}
