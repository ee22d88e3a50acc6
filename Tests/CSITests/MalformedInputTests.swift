import CSI
import Testing

/// Bytes that are not a valid encoding must throw CSIDecodingError naming the message, never crash.
@Suite struct MalformedInputTests {
    @Test(arguments: [
        ("truncated varint", [0x08, 0x80] as [UInt8]),
        ("varint longer than ten bytes", [0x08] + [UInt8](repeating: 0xFF, count: 11) + [0x01]),
        ("length past the end", [0x0A, 0x05, 0x61]),
        ("length past the end of a nested message", [0x12, 0x10, 0x08, 0x01]),
        ("wrong wire type for a string", [0x0D, 0x01, 0x02, 0x03, 0x04]),
        ("wrong wire type for a message", [0x10, 0x01]),
        ("tag without a value", [0x0A]),
        ("field number zero", [0x00, 0x01]),
        ("end-group wire type", [0x0C]),
        ("garbage inside a nested message", [0x12, 0x02, 0x08, 0x80]),
    ])
    func malformed(_ label: String, _ bytes: [UInt8]) {
        // CreateVolumeRequest: 1 = name (string), 2 = capacity_range (message).
        #expect(throws: CSIDecodingError.self, "\(label)") {
            try CreateVolumeRequest(serializedBytes: bytes)
        }
        do {
            _ = try CreateVolumeRequest(serializedBytes: bytes)
        } catch {
            #expect(error.messageName == "csi.v1.CreateVolumeRequest")
            #expect(error.isMalformed)
            #expect(error.description.contains("csi.v1.CreateVolumeRequest"))
        }
    }

    @Test func nestedTypesNameThemselves() {
        #expect(throws: CSIDecodingError.self) { try VolumeCapability.MountVolume(serializedBytes: [0x0A, 0x09]) }
        do {
            _ = try VolumeCapability.MountVolume(serializedBytes: [0x0A, 0x09])
        } catch {
            #expect(error.messageName == "csi.v1.VolumeCapability.MountVolume")
        }
    }

    @Test func everyPrefixOfAValidEncodingIsHandled() throws {
        // Cutting a real message anywhere must either decode or throw; never crash.
        let full = CreateVolumeRequest(
            name: "vol", capacityRange: .init(requiredBytes: 1 << 30),
            volumeCapabilities: [.init(accessType: .mount(.init(fsType: "ext4", mountFlags: ["ro"])),
                                       accessMode: .init(mode: .singleNodeWriter))],
            parameters: ["k": "v"]).serializedBytes()
        var failures = 0
        for n in 0..<full.count {
            if (try? CreateVolumeRequest(serializedBytes: Array(full[..<n]))) == nil { failures += 1 }
        }
        #expect(failures > 0)
        #expect(try CreateVolumeRequest(serializedBytes: full).name == "vol")
    }

    @Test func invalidUTF8IsRejected() {
        // name = "a\xFFb": protobuf-c accepts it; the CSI module rejects it (proto3 strings are UTF-8).
        let bytes: [UInt8] = [0x0A, 0x03, 0x61, 0xFF, 0x62]
        do {
            _ = try CreateVolumeRequest(serializedBytes: bytes)
            Issue.record("invalid UTF-8 decoded")
        } catch {
            #expect(!error.isMalformed)
            #expect(error.invalidUTF8Field == "name")
            #expect(error.messageName == "csi.v1.CreateVolumeRequest")
        }
    }

    @Test func invalidUTF8InMapsAndRepeatedStringsIsRejected() {
        // parameters (field 4) entry with key "\xC3" (a lone lead byte).
        let badKey: [UInt8] = [0x22, 0x05, 0x0A, 0x01, 0xC3, 0x12, 0x00]
        #expect(throws: CSIDecodingError.self) { try CreateVolumeRequest(serializedBytes: badKey) }
        // MountVolume.mount_flags (field 2) = ["\xED\xA0\x80"] (an encoded surrogate).
        let badFlag: [UInt8] = [0x12, 0x03, 0xED, 0xA0, 0x80]
        do {
            _ = try VolumeCapability.MountVolume(serializedBytes: badFlag)
            Issue.record("invalid UTF-8 decoded")
        } catch {
            #expect(error.invalidUTF8Field == "mount_flags")
        }
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        // Field 15 as varint, fixed64, length-delimited and fixed32, then name = "ok".
        let bytes: [UInt8] = [0x78, 0x96, 0x01,
                              0x79, 1, 2, 3, 4, 5, 6, 7, 8,
                              0x7A, 0x02, 0xAA, 0xBB,
                              0x7D, 1, 2, 3, 4,
                              0x0A, 0x02, 0x6F, 0x6B]
        #expect(try CreateVolumeRequest(serializedBytes: bytes) == CreateVolumeRequest(name: "ok"))
    }
}
