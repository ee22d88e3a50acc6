import Logging
@testable import Telemetry
import Testing

@Suite struct LineLogHandlerTests {
    @Test func jsonLinesAreOneEscapedObjectWithDottedKeys() {
        let handler = LineLogHandler(label: "csi-node", format: .json)
        let line = handler.render(level: .warning, message: "mount \"failed\"\nretrying",
                                  metadata: ["volume.id": "vol-1", "rpc.method": "NodeStageVolume", "attempt": "2"],
                                  timestamp: "2026-11-21T16:00:00.000Z")
        #expect(line == #"{"time":"2026-11-21T16:00:00.000Z","level":"warning","logger":"csi-node","msg":"mount \"failed\"\nretrying","attempt":"2","rpc.method":"NodeStageVolume","volume.id":"vol-1"}"# + "\n")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONText.quote("a\u{01}b\tc\\") == #""a\u0001b\tc\\""#)
    }

    @Test func textLinesAreReadable() {
        let handler = LineLogHandler(label: "csi-controller", format: .text)
        let line = handler.render(level: .info, message: "serving", metadata: ["endpoint": "unix:///csi/csi.sock"],
                                  timestamp: "2026-11-21T16:00:00.000Z")
        #expect(line == "2026-11-21T16:00:00.000Z info csi-controller: serving endpoint=unix:///csi/csi.sock\n")
    }

    @Test func timestampIsRFC3339UTCWithMilliseconds() {
        let stamp = LineLogHandler.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(Array(stamp)[10] == "T")
        #expect(stamp.hasPrefix("20"))
    }

    @Test func logFormatParsesItsFlagValues() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "xml") == nil)
    }
}
