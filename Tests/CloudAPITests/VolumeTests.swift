import CloudAPI
import Testing

@Suite struct VolumeTests {
    @Test func lifecycleCreateWaitAttachResizeDetachDelete() async throws {
        try await Harness.with { h in
            let instance = try await h.newInstance()
            let created = try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "pvc-1"))
            #expect(created.status == .pending)
            #expect(created.label == "pvc-1")
            #expect(created.blockType == .highPerformance)
            let active = try await h.client.waitUntilActive(volumeID: created.id, timeout: .seconds(10))
            #expect(active.status == .active)
            #expect(active.devicePath == "/dev/disk/by-id/virtio-\(created.mountID)")
            try await h.client.attachVolume(id: created.id, instanceID: instance.id)
            let attached = try await h.client.waitUntilAttached(volumeID: created.id, instanceID: instance.id, timeout: .seconds(10))
            #expect(attached.attachedInstanceID == instance.id)
            try await h.client.resizeVolume(id: created.id, sizeGB: 20)
            #expect(try await h.client.volume(id: created.id).sizeGB == 20)
            try await h.client.detachVolume(id: created.id)
            #expect(try await h.client.waitUntilDetached(volumeID: created.id, timeout: .seconds(10)).attachedInstanceID == nil)
            try await h.client.deleteVolume(id: created.id)
            let gone = await #expect(throws: CloudError.self) { try await h.client.volume(id: created.id) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func paginationFetchesEveryPage() async throws {
        try await Harness.with(client: { $0.pageSize = 2 }) { h in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await h.newInstance().id) }
            let before = h.requests("instances.list")
            let all = try await h.client.instances()
            #expect(all.map(\.id) == ids)
            #expect(h.requests("instances.list") - before == 3)
        }
    }

    @Test func pollingGivesUpAfterItsTimeout() async throws {
        try await Harness.with(server: { $0.pendingDuration = .seconds(30) }) { h in
            let volume = try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "slow"))
            let error = await #expect(throws: CloudError.self) {
                try await h.client.waitUntilActive(volumeID: volume.id, timeout: .milliseconds(400))
            }
            #expect(error?.code == .timeout)
        }
    }

    @Test func snapshotAndRestore() async throws {
        try await Harness.with { h in
            let volume = try await h.newActiveVolume(size: 12)
            let snapshot = try await h.client.createSnapshot(volumeID: volume.id, description: "before upgrade")
            #expect(snapshot.volumeID == volume.id)
            #expect(snapshot.sizeGB == 12)
            let ready = try await h.client.waitUntilReady(snapshotID: snapshot.id, timeout: .seconds(10))
            #expect(ready.isReady)
            #expect(try await h.client.snapshots().map(\.id) == [snapshot.id])
            let restored = try await h.client.createVolume(
                VolumeCreateRequest(region: "ewr", sizeGB: 12, label: "restored", snapshotID: snapshot.id))
            #expect(restored.sizeGB == 12)
            let tooSmall = await #expect(throws: CloudError.self) {
                try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 11, label: "x", snapshotID: snapshot.id))
            }
            #expect(tooSmall?.code == .invalidInput)
            try await h.client.deleteSnapshot(id: snapshot.id)
            #expect(try await h.client.snapshots().isEmpty)
        }
    }
}
