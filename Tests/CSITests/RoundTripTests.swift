@testable import CSI
import Testing

/// Encode with protobuf-c and decode again: every field shape must come back unchanged.
@Suite struct RoundTripTests {
    func roundTrip<M: CSIMessage>(_ value: M) throws -> M {
        try M(serializedBytes: value.serializedBytes())
    }

    @Test func defaultMessagesEncodeToNothing() throws {
        #expect(CreateVolumeRequest().serializedBytes() == [])
        #expect(try roundTrip(CreateVolumeRequest()) == CreateVolumeRequest())
        #expect(try CreateVolumeRequest(serializedBytes: []) == CreateVolumeRequest())
        #expect(try ProbeRequest(serializedBytes: []) == ProbeRequest())
    }

    @Test func propertyAssignmentAfterInit() throws {
        var request = NodeStageVolumeRequest()
        request.volumeId = "vol-1"
        request.stagingTargetPath = "/staging"
        request.publishContext["devicePath"] = "/dev/vdb"
        request.volumeCapability = VolumeCapability()
        request.volumeCapability?.accessType = .block(.init())
        let decoded = try roundTrip(request)
        #expect(decoded == request)
        #expect(decoded.publishContext == ["devicePath": "/dev/vdb"])
        #expect(decoded.volumeCapability?.accessType == .block(.init()))
    }

    @Test func maps() throws {
        var keys: [String: String] = [:]
        for i in 0..<50 { keys["key-\(i)"] = "value-\(i)" }
        keys[""] = "empty key"
        keys["empty value"] = ""
        keys["ünïcødé 🚀"] = "日本語"
        let request = CreateVolumeRequest(name: "v", parameters: keys, secrets: ["a": "b"])
        let decoded = try roundTrip(request)
        #expect(decoded.parameters == keys)
        #expect(decoded.secrets == ["a": "b"])
        #expect(decoded.mutableParameters == [:])
        // Keys are written in order, so equal maps encode to equal bytes.
        var shuffled: [String: String] = [:]
        for (k, v) in keys.shuffled() { shuffled[k] = v }
        #expect(CreateVolumeRequest(name: "v", parameters: shuffled, secrets: ["a": "b"]).serializedBytes()
            == request.serializedBytes())
    }

    @Test func mapKeyRepeatedOnTheWireKeepsTheLastValue() throws {
        // Two entries of field 3 (manifest) with key "k": values "1" then "2".
        let entry1: [UInt8] = [0x1A, 0x06, 0x0A, 0x01, 0x6B, 0x12, 0x01, 0x31]
        let entry2: [UInt8] = [0x1A, 0x06, 0x0A, 0x01, 0x6B, 0x12, 0x01, 0x32]
        #expect(try GetPluginInfoResponse(serializedBytes: entry1 + entry2).manifest == ["k": "2"])
    }

    @Test func mapEntriesMissingKeyOrValueUseEmptyStrings() throws {
        // manifest (field 3) entries: key only, value only, and an empty entry.
        #expect(try GetPluginInfoResponse(serializedBytes: [0x1A, 0x03, 0x0A, 0x01, 0x6B]).manifest == ["k": ""])
        #expect(try GetPluginInfoResponse(serializedBytes: [0x1A, 0x03, 0x12, 0x01, 0x76]).manifest == ["": "v"])
        #expect(try GetPluginInfoResponse(serializedBytes: [0x1A, 0x00]).manifest == ["": ""])
    }

    @Test(arguments: [
        VolumeContentSource(),
        VolumeContentSource(type: .snapshot(.init(snapshotId: "snap-1"))),
        VolumeContentSource(type: .volume(.init(volumeId: "vol-1"))),
        VolumeContentSource(type: .volume(.init())),  // arm set, member at defaults
    ])
    func oneofArms(source: VolumeContentSource) throws {
        let decoded = try roundTrip(CreateVolumeRequest(volumeContentSource: source))
        #expect(decoded.volumeContentSource == source)
        #expect(decoded.volumeContentSource?.type == source.type)
    }

    @Test func oneofWithUnsetParentIsNil() throws {
        #expect(try roundTrip(CreateVolumeRequest(name: "x")).volumeContentSource == nil)
        #expect(try roundTrip(PluginCapability()).type == nil)
    }

    @Test func wrappersAbsentPresentAndZero() throws {
        for value: Int64? in [nil, 0, 1, -1, .max, .min] {
            let decoded = try roundTrip(GetCapacityResponse(maximumVolumeSize: value, minimumVolumeSize: value))
            #expect(decoded.maximumVolumeSize == value)
            #expect(decoded.minimumVolumeSize == value)
        }
        for ready: Bool? in [nil, false, true] {
            #expect(try roundTrip(ProbeResponse(ready: ready)).ready == ready)
        }
        // Present-but-false must still be on the wire (an empty BoolValue), unlike absent.
        #expect(ProbeResponse(ready: false).serializedBytes() == [0x0A, 0x00])
        #expect(ProbeResponse(ready: nil).serializedBytes() == [])
    }

    @Test func repeatedFields() throws {
        let flags = (0..<100).map { "flag-\($0)" } + ["", "with space"]
        let mount = VolumeCapability.MountVolume(fsType: "xfs", mountFlags: flags)
        #expect(try roundTrip(mount).mountFlags == flags)
        let topologies = (0..<20).map { Topology(segments: ["zone": "z\($0)"]) } + [Topology()]
        let requirement = TopologyRequirement(requisite: topologies, preferred: topologies.reversed())
        let decoded = try roundTrip(requirement)
        #expect(decoded.requisite == topologies)
        #expect(decoded.preferred == topologies.reversed())
        #expect(try roundTrip(DeleteVolumeGroupSnapshotRequest(snapshotIds: ["a", "b", "a"])).snapshotIds
            == ["a", "b", "a"])
    }

    @Test func nestedMessagesStandAlone() throws {
        // Nested types encode on their own too (through the generic protobuf-c entry points).
        let mode = VolumeCapability.AccessMode(mode: .singleNodeMultiWriter)
        #expect(mode.serializedBytes() == [0x08, 0x07])
        #expect(try roundTrip(mode) == mode)
        let status = ListVolumesResponse.VolumeStatus(
            publishedNodeIds: ["n1"], volumeCondition: .init(abnormal: true, message: "bad"))
        #expect(try roundTrip(status) == status)
    }

    @Test func enumsKnownAndUnrecognized() throws {
        for mode in VolumeCapability.AccessMode.Mode.allCases {
            #expect(try roundTrip(VolumeCapability.AccessMode(mode: mode)).mode == mode)
        }
        for raw: Int32 in [8, 1000, .max, -1, .min] {
            let decoded = try roundTrip(VolumeCapability.AccessMode(mode: .unrecognized(raw)))
            #expect(decoded.mode == .unrecognized(raw))
            #expect(decoded.mode.rawValue == raw)
        }
        // A known number given as unrecognized is the same value as the named case.
        #expect(VolumeCapability.AccessMode.Mode.unrecognized(1) == .singleNodeWriter)
        #expect(VolumeCapability.AccessMode.Mode(rawValue: 1) == .singleNodeWriter)
        #expect(try roundTrip(VolumeUsage(available: 1, total: 3, used: 2, unit: .inodes)).unit == .inodes)
        #expect(GetMetadataAllocatedResponse().blockMetadataType == .unknown)
    }

    @Test func timestamps() throws {
        for time in [Timestamp(), Timestamp(seconds: 1_700_000_000, nanos: 999_999_999),
                     Timestamp(seconds: -62_135_596_800, nanos: 0)] {
            let snapshot = Snapshot(snapshotId: "s", creationTime: time, readyToUse: true)
            #expect(try roundTrip(snapshot).creationTime == time)
        }
        #expect(try roundTrip(Snapshot(snapshotId: "s")).creationTime == nil)
        let group = VolumeGroupSnapshot(
            groupSnapshotId: "g", snapshots: [Snapshot(snapshotId: "a"), Snapshot(snapshotId: "b")],
            creationTime: Timestamp(seconds: 5, nanos: 6), readyToUse: true)
        #expect(try roundTrip(GetVolumeGroupSnapshotResponse(groupSnapshot: group)).groupSnapshot == group)
    }

    @Test func scalarsAtTheirLimits() throws {
        let request = ListSnapshotsRequest(maxEntries: .min, startingToken: "t")
        #expect(try roundTrip(request).maxEntries == .min)
        let info = NodeGetInfoResponse(nodeId: "n", maxVolumesPerNode: .max)
        #expect(try roundTrip(info).maxVolumesPerNode == .max)
        #expect(try roundTrip(ControllerExpandVolumeResponse(capacityBytes: -1, nodeExpansionRequired: true))
            == ControllerExpandVolumeResponse(capacityBytes: -1, nodeExpansionRequired: true))
    }

    @Test func bytesHelpers() throws {
        // csi.v1 has no `bytes` field; the generator maps one to [UInt8] through these helpers.
        let arena = CArena()
        for value: [UInt8] in [[], [0], [0, 255, 1, 0x80], Array(repeating: 7, count: 10_000)] {
            #expect(CRead.bytes(arena.bytes(value)) == value)
        }
    }

    @Test func stringsAreCutAtNUL() throws {
        // protobuf-c strings are C strings: a Swift string holding U+0000 ends there.
        #expect(try roundTrip(GetPluginInfoResponse(name: "abc\u{0}def")).name == "abc")
    }
}
