import CSIDriver
import Testing

@Suite struct VolumeHandleTests {
    @Test func theIdTellsTheKindWithoutTheCloud() {
        let block = VolumeHandle(volumeID: "5d2c8e2a-0e7b-4c8f-9d3c-6d1f0b1a2c3d")
        #expect(block.type == .block && block.cloudID == "5d2c8e2a-0e7b-4c8f-9d3c-6d1f0b1a2c3d")
        let vfs = VolumeHandle(volumeID: "vfs-7a1b2c3d-0000-4000-8000-000000000001")
        #expect(vfs.type == .vfs && vfs.cloudID == "7a1b2c3d-0000-4000-8000-000000000001")
        #expect(VolumeHandle(type: .vfs, cloudID: vfs.cloudID).volumeID == "vfs-7a1b2c3d-0000-4000-8000-000000000001")
        // The bare prefix names nothing.
        #expect(VolumeHandle(volumeID: "vfs-").type == .block)
    }

    @Test func thePublishContextSaysTheKindInVultrCSIsWords() throws {
        #expect(try PublishContext.storageType(["storage_type": "vfs", "mount_vol_name": "3"], volumeID: "bare") == .vfs)
        #expect(try PublishContext.storageType(["storage_type": "BLOCK"], volumeID: "vfs-x") == .block)
        #expect(try PublishContext.storageType([:], volumeID: "vfs-x") == .vfs)
        #expect(throws: DriverError.self) { try PublishContext.storageType(["storage_type": "nfs"], volumeID: "v") }
        #expect(try PublishContext.mountTag(["mount_vol_name": "17"], volumeID: "v") == "17")
        for bad in [[:], ["mount_vol_name": ""], ["mount_vol_name": "../etc"], ["mount_vol_name": "a,b"]] {
            #expect(throws: DriverError.self) { try PublishContext.mountTag(bad, volumeID: "v") }
        }
        let block = PublishContext.context(mountID: "ewr-abc")
        #expect(block["mount_vol_name"] == "ewr-abc" && block["storage_type"] == "block" && block["device_name"] == "virtio-ewr-abc")
    }
}
