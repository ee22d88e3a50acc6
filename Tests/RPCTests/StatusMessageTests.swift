@testable import RPC
import Testing

@Suite struct StatusMessageTests {
    @Test func shortMessagesPassUnchanged() {
        let message = "volume_id \"vol-1\" must be at most 128 printable characters"
        #expect(ServerCall.bounded(message) == message)
        let exact = String(repeating: "a", count: ServerCall.maximumMessageBytes)
        #expect(ServerCall.bounded(exact) == exact)
    }

    /// An error quoting a 1 MiB id must still reach the client: peers drop trailers over 8–16 KiB.
    @Test func longMessagesAreCutOnACharacterBoundaryAndSaySo() {
        let quoted = "invalid volume id '" + String(repeating: "é", count: 1 << 19) + "'"
        let bounded = ServerCall.bounded(quoted)
        #expect(bounded.utf8.count <= ServerCall.maximumMessageBytes)
        let parts = bounded.split(separator: "…", maxSplits: 1)
        let kept = String(parts[0])
        let cut = Int(String(parts[1].filter(\.isNumber)))
        #expect(quoted.hasPrefix(kept) && kept.hasPrefix("invalid volume id 'éé"))
        #expect(cut == quoted.utf8.count - kept.utf8.count)
        #expect(parts[1].hasSuffix(" bytes cut)"))
    }
}
