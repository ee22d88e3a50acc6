@testable import CSIDriver
import Testing

@Suite struct JSONValueTests {
    @Test func parsesObjectsArraysEscapesAndNumbers() throws {
        let text = #"{"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}}"#
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.string == "q\"\\/\né😀")
        #expect(value["o"] == .object([:]))
        #expect(value["missing"] == nil)
    }

    @Test(arguments: ["", "{", "{\"a\" 1}", "[1,]", "\"unterminated", "{\"a\":1} x", "tru", "\"\\x\"", "\"\\ud800\"",
                      "\"a\u{01}\"", "-", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)])
    func refusesMalformedDocuments(text: String) {
        #expect(throws: JSONError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8InStrings() {
        #expect(throws: JSONError.self) { try JSONValue(parsing: [0x22, 0xff, 0xfe, 0x22]) }
    }
}

@Suite struct InstanceMetadataReaderTests {
    @Test func readsTheV2IdAndRegionCode() throws {
        let doc = #"{"hostname":"n1","instanceid":"legacy-1","instance-v2-id":"a1b2-c3","region":{"regioncode":"EWR"},"interfaces":[]}"#
        let identity = try InstanceMetadataReader.identity(fromDocument: Array(doc.utf8), url: "u")
        #expect(identity == .init(instanceID: "a1b2-c3", region: "ewr"))
    }

    @Test func fallsBackToTheLegacyIdAndRefusesDocumentsWithoutARegion() throws {
        let legacy = #"{"instanceid":"legacy-1","region":{"regioncode":"ams"}}"#
        #expect(try InstanceMetadataReader.identity(fromDocument: Array(legacy.utf8), url: "u").instanceID == "legacy-1")
        #expect(throws: PlainHTTPGet.Failure.self) {
            try InstanceMetadataReader.identity(fromDocument: Array(#"{"instance-v2-id":"x"}"#.utf8), url: "u")
        }
        #expect(throws: PlainHTTPGet.Failure.self) {
            try InstanceMetadataReader.identity(fromDocument: Array("<html>".utf8), url: "u")
        }
    }

    @Test func parsesURLsAndHTTPResponses() throws {
        let get = try PlainHTTPGet(url: "http://127.0.0.1:8090/v1.json?instance_id=abc")
        #expect(get.host == "127.0.0.1" && get.port == "8090" && get.target == "/v1.json?instance_id=abc")
        #expect(try PlainHTTPGet(url: "http://169.254.169.254/v1.json").port == "80")
        #expect(try PlainHTTPGet(url: "http://[::1]:9/x").host == "::1")
        #expect(throws: PlainHTTPGet.Failure.self) { try PlainHTTPGet(url: "https://169.254.169.254/v1.json") }
        #expect(throws: PlainHTTPGet.Failure.self) { try PlainHTTPGet(url: "http://:80/x") }

        let plain = try get.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8))
        #expect(plain.status == 200 && plain.body == Array("{}".utf8))
        let chunked = try get.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n".utf8))
        #expect(chunked.body == Array("{\"a\":1}".utf8))
        #expect(throws: PlainHTTPGet.Failure.self) { try get.parse(Array("garbage".utf8)) }
    }

    @Test func anUnreachableServiceFailsAfterItsAttempts() async throws {
        var reader = InstanceMetadataReader(url: "http://127.0.0.1:1/v1.json")
        reader.attempts = 2
        reader.firstBackoff = .milliseconds(10)
        await #expect(throws: PlainHTTPGet.Failure.self) { try await reader.fetch() }
    }
}
