import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func parsesObjectsArraysEscapesAndNumbers() throws {
        let text = #"{"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}}"#
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(value["a"] == .array([.int(1), .double(-2500), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "q\"\\/\né😀")
        #expect(value["o"] == .object([:]))
        #expect(value["missing"] == nil)
    }

    @Test(arguments: ["", "{", "{\"a\" 1}", "[1,]", "\"unterminated", "{\"a\":1} x", "tru", "\"\\x\"", "\"\\ud800\"",
                      "\"a\u{01}\"", "-", String(repeating: "[", count: 600) + String(repeating: "]", count: 600)])
    func refusesMalformedDocuments(text: String) {
        #expect(throws: JSONError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8InStrings() {
        #expect(throws: JSONError.self) { try JSONValue(parsing: [0x22, 0xff, 0xfe, 0x22]) }
        // Also after an escape (the parser's slow path).
        #expect(throws: JSONError.self) { try JSONValue(parsing: [0x22, 0x5c, 0x6e, 0xc3, 0x22]) }
    }

    @Test func serializesWhatItParses() throws {
        let text = #"{"a":[1,-2.5,true,null],"s":"q\"\n\u0001é"}"#
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(String(decoding: value.serialized(), as: UTF8.self) == text)
        #expect(try JSONValue(parsing: value.serialized(sortedKeys: false)) == value)
    }
}
