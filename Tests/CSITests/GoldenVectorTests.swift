import CSI
import Testing

/// Encodings made by Python protobuf (hack/generate/gen-csi-fixtures.py), an implementation independent of
/// protobuf-c: each must decode to the value built here by hand, and re-encode to the same bytes.
@Suite struct GoldenVectorTests {
    // The values below mirror hack/generate/gen-csi-fixtures.py; keep the two in step.

    static let mount = VolumeCapability(
        accessType: .mount(.init(fsType: "ext4", mountFlags: ["noatime", "discard"], volumeMountGroup: "2000")),
        accessMode: .init(mode: .singleNodeWriter))
    static let block = VolumeCapability(
        accessType: .block(.init()), accessMode: .init(mode: .multiNodeMultiWriter))
    static let zoneA = Topology(segments: ["topology.mooring.dev/region": "ewr", "zone": "a"])
    static let zoneB = Topology(segments: ["topology.mooring.dev/region": "ewr", "zone": "b"])
    static let pluginInfo = GetPluginInfoResponse(
        name: "csi.mooring.dev", vendorVersion: "0.1.0", manifest: ["url": "https://mooring.dev"])

    /// Decodes the vector, compares, re-encodes and checks the bytes and a second decode.
    func check<M: CSIMessage>(_ name: String, _ expected: M, reencodes: Bool = true) throws -> M {
        let bytes = try Fixture.bytes(name)
        let decoded = try M(serializedBytes: bytes)
        #expect(decoded == expected, "\(name)")
        let again = decoded.serializedBytes()
        if reencodes {
            #expect(again == bytes, "\(name): protobuf-c and Python protobuf encode differently")
        }
        #expect(try M(serializedBytes: again) == decoded, "\(name)")
        return decoded
    }

    @Test func createVolumeRequest() throws {
        let expected = CreateVolumeRequest(
            name: "pvc-7e1fä日",
            capacityRange: .init(requiredBytes: 10 << 30, limitBytes: 20 << 30),
            volumeCapabilities: [Self.mount, Self.block],
            parameters: ["block_type": "high_perf", "disk_type": "nvme"],
            secrets: ["token": "s3cr3t"],
            volumeContentSource: .init(type: .snapshot(.init(snapshotId: "snap-1"))),
            accessibilityRequirements: .init(requisite: [Self.zoneA, Self.zoneB], preferred: [Self.zoneB]),
            mutableParameters: ["iops": "3000"])
        let decoded = try check("create_volume_request", expected)
        // Field by field, so a failure says where.
        #expect(decoded.name == "pvc-7e1fä日")
        #expect(decoded.capacityRange?.requiredBytes == 10_737_418_240)
        #expect(decoded.capacityRange?.limitBytes == 21_474_836_480)
        #expect(decoded.volumeCapabilities.count == 2)
        guard case .mount(let mount)? = decoded.volumeCapabilities.first?.accessType else {
            Issue.record("first capability is not a mount")
            return
        }
        #expect(mount.fsType == "ext4")
        #expect(mount.mountFlags == ["noatime", "discard"])
        #expect(mount.volumeMountGroup == "2000")
        #expect(decoded.volumeCapabilities[0].accessMode?.mode == .singleNodeWriter)
        #expect(decoded.volumeCapabilities[1].accessType == .block(.init()))
        #expect(decoded.volumeCapabilities[1].accessMode?.mode == .multiNodeMultiWriter)
        #expect(decoded.parameters == ["block_type": "high_perf", "disk_type": "nvme"])
        #expect(decoded.secrets == ["token": "s3cr3t"])
        #expect(decoded.volumeContentSource?.type == .snapshot(.init(snapshotId: "snap-1")))
        #expect(decoded.accessibilityRequirements?.requisite == [Self.zoneA, Self.zoneB])
        #expect(decoded.accessibilityRequirements?.preferred == [Self.zoneB])
        #expect(decoded.mutableParameters == ["iops": "3000"])
    }

    @Test func createVolumeResponse() throws {
        let expected = CreateVolumeResponse(volume: .init(
            capacityBytes: .max, volumeId: "vol-0001", volumeContext: ["mount_id": "abc-123"],
            contentSource: .init(type: .volume(.init(volumeId: "vol-0000"))),
            accessibleTopology: [Self.zoneA]))
        let decoded = try check("create_volume_response", expected)
        #expect(decoded.volume?.capacityBytes == Int64.max)
        #expect(decoded.volume?.contentSource?.type == .volume(.init(volumeId: "vol-0000")))
    }

    @Test func probeResponseWrapper() throws {
        #expect(try check("probe_response_unset", ProbeResponse()).ready == nil)
        #expect(try check("probe_response_false", ProbeResponse(ready: false)).ready == false)
        #expect(try check("probe_response_true", ProbeResponse(ready: true)).ready == true)
    }

    @Test func getCapacityResponseWrappers() throws {
        let zero = try check(
            "get_capacity_response", GetCapacityResponse(availableCapacity: -1, maximumVolumeSize: 0))
        #expect(zero.availableCapacity == -1)
        #expect(zero.maximumVolumeSize == 0)  // present and zero, not absent
        #expect(zero.minimumVolumeSize == nil)
        let both = try check(
            "get_capacity_response_both",
            GetCapacityResponse(availableCapacity: 1 << 40, maximumVolumeSize: 1 << 42, minimumVolumeSize: 1 << 30))
        #expect(both.maximumVolumeSize == 4_398_046_511_104)
        #expect(both.minimumVolumeSize == 1_073_741_824)
    }

    @Test func pluginCapabilitiesWithOneofsAndUnknownEnum() throws {
        let expected = GetPluginCapabilitiesResponse(capabilities: [
            .init(type: .service(.init(type: .controllerService))),
            .init(type: .service(.init(type: .volumeAccessibilityConstraints))),
            .init(type: .volumeExpansion(.init(type: .online))),
            .init(),
            .init(type: .service(.init(type: .unrecognized(99)))),
        ])
        let decoded = try check("get_plugin_capabilities_response", expected)
        #expect(decoded.capabilities[3].type == nil)
        guard case .service(let service)? = decoded.capabilities[4].type else {
            Issue.record("last capability is not a service")
            return
        }
        #expect(service.type == .unrecognized(99))
        #expect(service.type.rawValue == 99)
    }

    @Test func controllerCapabilitiesIncludingNegativeEnum() throws {
        let types: [ControllerServiceCapability.RPC.`Type`] = [
            .createDeleteVolume, .publishUnpublishVolume, .listVolumes, .expandVolume, .modifyVolume,
            .unrecognized(-7),
        ]
        let expected = ControllerGetCapabilitiesResponse(
            capabilities: types.map { .init(type: .rpc(.init(type: $0))) })
        let decoded = try check("controller_get_capabilities_response", expected)
        #expect(decoded.capabilities.count == 6)
        #expect(decoded.capabilities.last?.type == .rpc(.init(type: .unrecognized(-7))))
    }

    @Test func listSnapshotsResponseTimestamps() throws {
        let expected = ListSnapshotsResponse(
            entries: [
                .init(snapshot: .init(
                    sizeBytes: 5 << 30, snapshotId: "snap-1", sourceVolumeId: "vol-0001",
                    creationTime: Timestamp(seconds: 1_767_225_600, nanos: 123_456_789), readyToUse: true,
                    groupSnapshotId: "group-1")),
                .init(snapshot: .init(
                    snapshotId: "snap-2", sourceVolumeId: "vol-0002", creationTime: Timestamp())),
                .init(),
            ],
            nextToken: "token-2")
        let decoded = try check("list_snapshots_response", expected)
        #expect(decoded.entries[0].snapshot?.creationTime == Timestamp(seconds: 1_767_225_600, nanos: 123_456_789))
        #expect(decoded.entries[1].snapshot?.creationTime == Timestamp(seconds: 0, nanos: 0))
        #expect(decoded.entries[2].snapshot == nil)
    }

    @Test func listVolumesResponse() throws {
        let expected = ListVolumesResponse(entries: [
            .init(
                volume: .init(capacityBytes: 1 << 30, volumeId: "vol-0001"),
                status: .init(
                    publishedNodeIds: ["node-a", "node-b"],
                    volumeCondition: .init(abnormal: true, message: "I/O errors"))),
        ])
        let decoded = try check("list_volumes_response", expected)
        #expect(decoded.entries[0].status?.publishedNodeIds == ["node-a", "node-b"])
        #expect(decoded.nextToken == "")
    }

    @Test func nodePublishVolumeRequest() throws {
        let expected = NodePublishVolumeRequest(
            volumeId: "vol-0001", publishContext: ["devicePath": "/dev/disk/by-id/virtio-abc"],
            stagingTargetPath: "/var/lib/kubelet/staging/vol-0001",
            targetPath: "/var/lib/kubelet/pods/p/volumes/vol-0001/mount",
            volumeCapability: Self.mount, readonly: true, volumeContext: ["fsType": "xfs"])
        let decoded = try check("node_publish_volume_request", expected)
        #expect(decoded.readonly)
        #expect(decoded.secrets.isEmpty)
    }

    @Test func nodeGetInfoResponse() throws {
        _ = try check(
            "node_get_info_response",
            NodeGetInfoResponse(nodeId: "instance-42", maxVolumesPerNode: 11, accessibleTopology: Self.zoneA))
    }

    @Test func topLevelEnumAndRepeatedMessages() throws {
        let decoded = try check(
            "get_metadata_delta_response",
            GetMetadataDeltaResponse(
                blockMetadataType: .variableLength, volumeCapacityBytes: 1 << 34,
                blockMetadata: [.init(byteOffset: 0, sizeBytes: 4096), .init(byteOffset: 1 << 33, sizeBytes: 1 << 20)]))
        #expect(decoded.blockMetadataType == .variableLength)
        #expect(decoded.blockMetadata.map(\.byteOffset) == [0, 8_589_934_592])
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Fields 99–102 are not in the schema: they decode fine and are dropped on re-encoding.
        let decoded = try check("get_plugin_info_response_unknown_fields", Self.pluginInfo, reencodes: false)
        #expect(decoded.serializedBytes() == (try Fixture.bytes("get_plugin_info_response")))
        _ = try check("get_plugin_info_response", Self.pluginInfo)
    }

    @Test func everyVectorIsChecked() throws {
        // A vector added to the generator without a test here would otherwise go unnoticed.
        let checked: Set<String> = [
            "create_volume_request", "create_volume_response", "probe_response_unset",
            "probe_response_false", "probe_response_true", "get_capacity_response",
            "get_capacity_response_both", "get_plugin_capabilities_response",
            "controller_get_capabilities_response", "list_snapshots_response", "list_volumes_response",
            "node_publish_volume_request", "node_get_info_response", "get_metadata_delta_response",
            "get_plugin_info_response_unknown_fields", "get_plugin_info_response",
        ]
        #expect(try Fixture.names() == checked)
    }
}
