import CSI
import Testing

/// Fields marked `csi_secret` must never show up when a message is printed (e.g. in a log line).
@Suite struct SecretRedactionTests {
    @Test func printingARequestHidesSecretValues() {
        let request = NodeStageVolumeRequest(
            volumeId: "vol-1", stagingTargetPath: "/staging",
            secrets: ["password": "hunter2-do-not-log"], volumeContext: ["fsType": "ext4"])
        for text in ["\(request)", String(describing: request), String(reflecting: request)] {
            #expect(!text.contains("hunter2-do-not-log"), "\(text)")
            #expect(text.contains("password"))  // the key stays visible
            #expect(text.contains("<redacted>"))
            #expect(text.contains("vol-1"))  // ordinary fields are still shown
            #expect(text.contains("ext4"))
        }
        var dumped = ""
        dump(request, to: &dumped)
        #expect(!dumped.contains("hunter2-do-not-log"))
    }

    @Test func redactionDoesNotChangeTheValue() throws {
        let request = CreateVolumeRequest(name: "v", secrets: ["token": "abc"])
        _ = "\(request)"
        #expect(request.secrets == ["token": "abc"])
        #expect(try CreateVolumeRequest(serializedBytes: request.serializedBytes()).secrets == ["token": "abc"])
    }
}
