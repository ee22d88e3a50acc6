import CSI
import CSIDriver
@testable import CSINode
import RPC
import Testing

/// A VFS on a cloud node (no --vfs-dir): staged with `mount -t virtiofs <mount_tag>`, published by
/// bind mounts in any access mode, idempotent; what a VFS cannot be is refused. The kernel is the
/// fake here; test_vfs.py covers the local cloud's bind-mount stand-in with real mounts.
@Suite struct NodeFileSystemTests {
    static let volumeID = "vfs-0d1e2f30-0000-4000-8000-00000000000a"

    static func stage(tag: String, staging: String, mode: VolumeCapability.AccessMode.Mode = .multiNodeMultiWriter) -> NodeStageVolumeRequest {
        var request = NodeStageVolumeRequest()
        request.volumeId = volumeID
        request.publishContext = ["storage_type": "vfs", "mount_vol_name": tag]
        request.stagingTargetPath = staging
        request.volumeCapability = mountCapability(mode: mode)
        return request
    }

    @Test func aVFSIsMountedWithVirtiofsByItsTagAndSharedByBindMounts() async throws {
        let fake = FakeMounter()
        // The fake mounts only what it knows; the mount tag is the virtiofs source.
        fake.addDisk("17", minor: 40, size: 10 << 30)
        try await NodeHarness.with(mounter: fake) { node in
            let staging = node.root + "/staging"
            for _ in 0..<2 { _ = try await node.call(CSIService.Node.nodeStageVolume, Self.stage(tag: "17", staging: staging)) }
            let staged = try await fake.mounts(at: staging)
            #expect(staged.count == 1)
            #expect(staged.first?.fsType == "virtiofs" && staged.first?.source == "17")

            for (n, mode) in [VolumeCapability.AccessMode.Mode.multiNodeMultiWriter, .multiNodeReaderOnly].enumerated() {
                var publish = NodePublishVolumeRequest()
                publish.volumeId = Self.volumeID
                publish.publishContext = ["storage_type": "vfs", "mount_vol_name": "17"]
                publish.stagingTargetPath = staging
                publish.targetPath = node.root + "/target-\(n)"
                publish.volumeCapability = mountCapability(mode: mode)
                _ = try await node.call(CSIService.Node.nodePublishVolume, publish)
                #expect(try await fake.mounts(at: publish.targetPath).first?.readOnly == (mode == .multiNodeReaderOnly))
            }

            // Growing a VFS needs nothing from the node.
            var expand = NodeExpandVolumeRequest()
            expand.volumeId = Self.volumeID
            expand.volumePath = node.root + "/target-0"
            var range = CapacityRange()
            range.requiredBytes = 20 << 30
            expand.capacityRange = range
            expand.volumeCapability = mountCapability(mode: .multiNodeMultiWriter)
            #expect(try await node.call(CSIService.Node.nodeExpandVolume, expand).capacityBytes == 20 << 30)

            // Another tag at a staging path already in use is refused; so is raw block access.
            fake.addDisk("18", minor: 41, size: 10 << 30)
            #expect(await node.failure(CSIService.Node.nodeStageVolume, Self.stage(tag: "18", staging: staging))?.code
                    == .failedPrecondition)
            var raw = Self.stage(tag: "17", staging: node.root + "/raw")
            raw.volumeCapability = blockCapability(mode: .multiNodeMultiWriter)
            #expect(await node.failure(CSIService.Node.nodeStageVolume, raw)?.code == .invalidArgument)
            var untagged = Self.stage(tag: "17", staging: node.root + "/untagged")
            untagged.publishContext = ["storage_type": "vfs"]
            #expect(await node.failure(CSIService.Node.nodeStageVolume, untagged)?.code == .invalidArgument)

            for n in 0..<2 { _ = try await node.call(CSIService.Node.nodeUnpublishVolume, unpublishRequest(Self.volumeID, target: node.root + "/target-\(n)")) }
            for _ in 0..<2 { _ = try await node.call(CSIService.Node.nodeUnstageVolume, unstageRequest(Self.volumeID, staging: staging)) }
            #expect(try await fake.allMounts().isEmpty)
        }
    }
}
