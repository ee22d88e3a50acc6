import CloudAPI
import CSI
import CSIController
import CSIDriver
import RPC
import Testing

@Suite struct SnapshotTests {
    @Test func snapshotsAreIdempotentByNameListableAndRestorable() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("src", requiredGiB: 12)).volume!
            let snapshot = try await h.call(Controller.createSnapshot, Requests.snapshot("snap-1", of: volume.volumeId)).snapshot!
            #expect(snapshot.sourceVolumeId == volume.volumeId)
            #expect(snapshot.sizeBytes == 12 << 30)
            #expect(snapshot.creationTime != nil)
            let again = try await h.call(Controller.createSnapshot, Requests.snapshot("snap-1", of: volume.volumeId)).snapshot!
            #expect(again.snapshotId == snapshot.snapshotId)
            let other = try await h.call(Controller.createVolume, Requests.create("other")).volume!
            #expect(await h.status(Controller.createSnapshot, Requests.snapshot("snap-1", of: other.volumeId)).code == .alreadyExists)
            #expect(await h.status(Controller.createSnapshot, Requests.snapshot("snap-2", of: "missing")).code == .notFound)
            #expect(await h.status(Controller.createSnapshot, Requests.snapshot("", of: volume.volumeId)).code == .invalidArgument)
            #expect(await h.status(Controller.createSnapshot, Requests.snapshot("snap-3", of: "")).code == .invalidArgument)
            var withParameters = Requests.snapshot("snap-4", of: volume.volumeId)
            withParameters.parameters = ["tier": "cold"]
            #expect(await h.status(Controller.createSnapshot, withParameters).code == .invalidArgument)

            // ready_to_use follows the cloud: pending at first, complete shortly after.
            try await h.api.waitUntilReady(snapshotID: snapshot.snapshotId, timeout: .seconds(10))
            var get = GetSnapshotRequest()
            get.snapshotId = snapshot.snapshotId
            #expect(try await h.call(Controller.getSnapshot, get).snapshot?.readyToUse == true)
            get.snapshotId = "missing"
            #expect(await h.status(Controller.getSnapshot, get).code == .notFound)

            var list = ListSnapshotsRequest()
            list.sourceVolumeId = volume.volumeId
            #expect(try await h.call(Controller.listSnapshots, list).entries.map { $0.snapshot!.snapshotId } == [snapshot.snapshotId])
            list = ListSnapshotsRequest()
            list.snapshotId = "missing"
            #expect(try await h.call(Controller.listSnapshots, list).entries.count == 0)
            list = ListSnapshotsRequest()
            list.startingToken = "x"
            #expect(await h.status(Controller.listSnapshots, list).code == .aborted)

            var restore = Requests.create("restored")
            var source = VolumeContentSource()
            var snapshotSource = VolumeContentSource.SnapshotSource()
            snapshotSource.snapshotId = snapshot.snapshotId
            source.type = .snapshot(snapshotSource)
            restore.volumeContentSource = source
            let restored = try await h.call(Controller.createVolume, restore).volume!
            #expect(restored.capacityBytes == 12 << 30)
            #expect(restored.contentSource == source)
            snapshotSource.snapshotId = "missing"
            source.type = .snapshot(snapshotSource)
            var missing = Requests.create("from-missing")
            missing.volumeContentSource = source
            #expect(await h.status(Controller.createVolume, missing).code == .notFound)

            var delete = DeleteSnapshotRequest()
            delete.snapshotId = snapshot.snapshotId
            #expect(await h.status(Controller.deleteSnapshot, delete).code == .ok)
            #expect(await h.status(Controller.deleteSnapshot, delete).code == .ok)
            delete.snapshotId = ""
            #expect(await h.status(Controller.deleteSnapshot, delete).code == .invalidArgument)
            #expect(try await h.api.snapshots().count == 0)
        }
    }

    @Test func cloningGoesThroughATemporarySnapshot() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("orig", requiredGiB: 11)).volume!
            var clone = Requests.create("clone")
            var source = VolumeContentSource()
            var volumeSource = VolumeContentSource.VolumeSource()
            volumeSource.volumeId = volume.volumeId
            source.type = .volume(volumeSource)
            clone.volumeContentSource = source
            let cloned = try await h.call(Controller.createVolume, clone).volume!
            #expect(cloned.volumeId != volume.volumeId)
            #expect(cloned.capacityBytes == 11 << 30)
            #expect(cloned.contentSource == source)
            #expect(try await h.api.snapshots().count == 0, "the temporary snapshot was left behind")
            volumeSource.volumeId = "missing"
            source.type = .volume(volumeSource)
            var missing = Requests.create("clone-missing")
            missing.volumeContentSource = source
            #expect(await h.status(Controller.createVolume, missing).code == .notFound)
        }
    }
}
