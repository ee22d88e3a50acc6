import Foundation
import Kubernetes
import Testing

@Suite struct JSONCodingTests {
    func parse(_ text: String) throws -> JSONValue {
        try JSONCoding.decode(Data(text.utf8))
    }

    @Test func parsesEveryKind() throws {
        let value = try parse(#" {"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","i":-42,"d":1.5e3,"t":true,"f":false,"n":null,"a":[1,[],{}]} "#)
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["i"] == .int(-42))
        #expect(value["d"] == .double(1500))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["n"] == .null)
        #expect(value["a"] == .array([.int(1), .array([]), .object([:])]))
        #expect(try parse("\"héllo wörld\"") == .string("héllo wörld"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"unterminated", "\"\\x\"",
        "\"\\ud800\"", "{} {}", "\"a\nb\"", "[1 2]", "1e999", "-1e400",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: (any Error).self) { try JSONCoding.decode(Data(text.utf8)) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: (any Error).self) { try JSONCoding.decode(Data(deep.utf8)) }
    }

    @Test func serializesEscapedAndSorted() throws {
        let value: JSONValue = ["b": "x\"y\n\u{01}", "a": [1, 2.5, true, nil], "c": ["z": 1, "y": "é"]]
        let text = String(decoding: try JSONCoding.encode(value), as: UTF8.self)
        #expect(text == #"{"a":[1,2.5,true,null],"b":"x\"y\n\u0001","c":{"y":"é","z":1}}"#)
        #expect(try JSONCoding.decode(try JSONCoding.encodeCompact(value)) == value)
    }

    @Test func agreesWithFoundation() throws {
        let value: JSONValue = ["name": "n", "list": [["k": 1], ["k": 2]], "big": .int(Int64.max), "neg": -0.25]
        let ours = try JSONCoding.encode(value)
        let theirs = try JSONDecoder().decode(JSONValue.self, from: ours)
        #expect(theirs == value)
        let back = try JSONEncoder().encode(value)
        #expect(try JSONCoding.decode(back) == value)
    }
}
