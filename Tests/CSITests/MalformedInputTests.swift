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

    @Test func randomAndMutatedBytesNeverCrash() throws {
        // A fixed-seed generator, so a failure reproduces.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let valid = try Fixture.bytes("create_volume_request")
        var decoded = 0
        var rejected = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(next() % 64)).map { _ in UInt8(truncatingIfNeeded: next()) }
            } else {
                bytes = valid
                for _ in 0..<(1 + next() % 4) {
                    bytes[Int(next() % UInt64(bytes.count))] ^= UInt8(1 << (next() % 8))
                }
            }
            do {
                let request = try CreateVolumeRequest(serializedBytes: bytes)
                // Whatever decoded must encode and decode to itself.
                #expect(try CreateVolumeRequest(serializedBytes: request.serializedBytes()) == request)
                decoded += 1
            } catch {
                #expect(error.messageName == "csi.v1.CreateVolumeRequest")
                rejected += 1
            }
            _ = try? ListVolumesResponse(serializedBytes: bytes)
            _ = try? VolumeCapability(serializedBytes: bytes)
        }
        // Both outcomes occur, so the loop really exercised the decoder and its error path.
        #expect(decoded > 0)
        #expect(rejected > 0)
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

    @Test func invalidUTF8DeepInsideNamesTheOuterMessageAndThePath() throws {
        // accessibility_requirements (7) { requisite (1) { segments (1) { key "z", value "\xFF" } } }
        let entry: [UInt8] = [0x0A, 0x01, 0x7A, 0x12, 0x01, 0xFF]
        let topology: [UInt8] = [0x0A, UInt8(entry.count)] + entry
        let requirement: [UInt8] = [0x0A, UInt8(topology.count)] + topology
        let bytes: [UInt8] = [0x3A, UInt8(requirement.count)] + requirement
        do {
            _ = try CreateVolumeRequest(serializedBytes: bytes)
            Issue.record("invalid UTF-8 decoded")
        } catch {
            #expect(error.messageName == "csi.v1.CreateVolumeRequest")
            #expect(error.invalidUTF8Field == "accessibility_requirements.requisite.segments")
            #expect(error.description.contains("accessibility_requirements.requisite.segments"))
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

    /// protobuf-c keeps strings NUL-terminated and drops their length: without a check,
    /// "/var/lib/x\0/../../etc" would arrive as "/var/lib/x", a different path.
    @Test func aNULByteInAnyStringIsRefusedNotTruncated() {
        // NodeUnpublishVolumeRequest: volume_id (1) = "v", target_path (2) = "/a\0b".
        let path: [UInt8] = [0x0A, 0x01, 0x76, 0x12, 0x04, 0x2F, 0x61, 0x00, 0x62]
        do {
            _ = try NodeUnpublishVolumeRequest(serializedBytes: path)
            Issue.record("a NUL in target_path decoded")
        } catch {
            #expect(error.nulField == "target_path")
            #expect(error.description.contains("NUL"))
        }
        // Deep inside: accessibility_requirements.requisite.segments value "a\0".
        let entry: [UInt8] = [0x0A, 0x01, 0x7A, 0x12, 0x02, 0x61, 0x00]
        let topology: [UInt8] = [0x0A, UInt8(entry.count)] + entry
        let requirement: [UInt8] = [0x0A, UInt8(topology.count)] + topology
        let deep: [UInt8] = [0x3A, UInt8(requirement.count)] + requirement
        do {
            _ = try CreateVolumeRequest(serializedBytes: deep)
            Issue.record("a NUL in a map value decoded")
        } catch {
            #expect(error.nulField == "accessibility_requirements.requisite.segments.value")
        }
        // The same message without the NUL decodes.
        #expect((try? NodeUnpublishVolumeRequest(serializedBytes: [0x0A, 0x01, 0x76, 0x12, 0x02, 0x2F, 0x61]))?
            .targetPath == "/a")
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
