@_spi(Fuzzing) import CloudAPI
import Foundation
import Testing

/// What the client makes of odd server answers (inputs the fuzzer found or aims at,
/// `hack/check/fuzz.sh cloud-responses`).
@Suite struct ResponseDecodingTests {
    @Test(arguments: [("120", Duration.seconds(120)), ("0", .zero), ("1.5", .milliseconds(1500))])
    func retryAfterInSeconds(_ header: String, _ expected: Duration) {
        #expect(ResponseDecoding.retryAfter(header) == expected)
    }

    /// `Retry-After: inf` or an enormous number used to trap converting to milliseconds: a
    /// misbehaving server or proxy could crash every program using the client.
    @Test(arguments: ["inf", "Infinity", "1e300", "nan", "-5", "-inf"])
    func retryAfterOutOfRangeIsIgnoredOrClamped(_ header: String) {
        let delay = ResponseDecoding.retryAfter(header)
        if let delay { #expect(delay >= .zero && delay <= .seconds(86_400)) }
    }

    @Test func retryAfterHugeButFiniteIsClampedToADay() {
        #expect(ResponseDecoding.retryAfter("1e300") == .seconds(86_400))
        #expect(ResponseDecoding.retryAfter("inf") == nil)
    }

    @Test func retryAfterAsHTTPDateInThePastIsZero() {
        #expect(ResponseDecoding.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        #expect(ResponseDecoding.retryAfter("not a date") == nil)
    }

    @Test func everyShapeIsReadFromTheSameBytesTheClientReads() {
        let block = Data(#"{"block":{"id":"c1","status":"active","size_gb":10}}"#.utf8)
        #expect(ResponseDecoding.decodeEveryShape(block) == 1)
        let page = Data(#"{"instances":[{"id":"i1"}],"meta":{"total":1,"links":{"next":""}}}"#.utf8)
        #expect(ResponseDecoding.decodeEveryShape(page) == 1)
        #expect(ResponseDecoding.decodeEveryShape(Data(#"{"error":"gone","status":404}"#.utf8)) == 1)
        #expect(ResponseDecoding.decodeEveryShape(Data([0xff, 0x00, 0x7b])) == 0)
    }

    /// The VFS, bare-metal and auto_ssl shapes the fuzz corpus seeds (Fuzz/corpus/cloud-responses)
    /// are each read by exactly the decoder meant for them, so the fuzzer starts from inputs the
    /// client accepts.
    @Test(arguments: ["vfs.json", "vfs-page.json", "vfs-attachment.json", "vfs-attachments.json", "bare-metal.json",
                      "bare-metal-vpcs.json", "load-balancer-auto-ssl.json", "block.json", "load-balancer.json"])
    func everyCorpusSeedIsAcceptedByOneShape(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/cloud-responses/\(name)")
        let body = try Data(contentsOf: url)
        #expect(ResponseDecoding.decodeEveryShape(body) == 1, "\(name)")
    }
}
