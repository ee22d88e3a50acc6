import CloudAPI
import CSI
import CSIController
import CSIDriver
import RPC
import Testing

/// VFS volumes (`storage_type: vfs`) through the controller's socket, on the in-process local cloud.
@Suite struct FileSystemTests {
    static let vfs = ["storage_type": "vfs", "disk_type": "nvme"]

    static func shared(_ name: String, requiredGiB: Int64? = nil) -> CreateVolumeRequest {
        var request = Requests.create(name, requiredGiB: requiredGiB, parameters: vfs)
        request.volumeCapabilities = [Requests.mount(.multiNodeMultiWriter, fsType: "")]
        return request
    }

    static func publish(_ volumeID: String, to node: String,
                        _ mode: VolumeCapability.AccessMode.Mode = .multiNodeMultiWriter) -> ControllerPublishVolumeRequest {
        var request = Requests.publish(volumeID, to: node)
        request.volumeCapability = Requests.mount(mode, fsType: "")
        return request
    }

    @Test func aVFSVolumeIsCreatedOnceAndItsIdSaysSo() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Self.shared("files", requiredGiB: 15)).volume!
            #expect(volume.volumeId.hasPrefix("vfs-"))
            #expect(volume.capacityBytes == 15 << 30)
            #expect(volume.accessibleTopology == [RegionTopology.topology(region: "ewr")])
            let cloudID = String(volume.volumeId.dropFirst(4))
            let fileSystem = try await h.api.fileSystem(id: cloudID)
            #expect(fileSystem.label == "files" && fileSystem.sizeGB == 15 && fileSystem.status == .active)
            #expect(fileSystem.diskType == "nvme")
            #expect(try await h.api.volumes().isEmpty, "a VFS request made a block")

            let again = try await h.call(Controller.createVolume, Self.shared("files", requiredGiB: 15)).volume!
            #expect(again.volumeId == volume.volumeId)
            #expect(await h.status(Controller.createVolume, Self.shared("files", requiredGiB: 20)).code == .alreadyExists)
            #expect(try await h.api.fileSystems().count == 1)
            // The smallest VFS is 10 GiB.
            let small = try await h.call(Controller.createVolume, Self.shared("small")).volume!
            #expect(small.capacityBytes == 10 << 30)
        }
    }

    @Test func oneVFSIsPublishedOnTwoNodesAtOnceWithItsMountTag() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Self.shared("rwx")).volume!
            let cloudID = String(volume.volumeId.dropFirst(4))
            let (a, b) = (try await h.newNode(), try await h.newNode())
            let onA = try await h.call(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: a))
            let onB = try await h.call(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: b, .multiNodeReaderOnly))
            let attachments = try await h.api.fileSystemAttachments(id: cloudID)
            #expect(Set(attachments.map(\.instanceID)) == [a, b])
            let tagA = try #require(attachments.first { $0.instanceID == a }?.mountTag)
            #expect(onA.publishContext == ["mount_vol_name": String(tagA), "storage_type": "vfs"])
            #expect(onB.publishContext["storage_type"] == "vfs" && onB.publishContext["mount_vol_name"] != onA.publishContext["mount_vol_name"])
            // A retried publish answers the same tag.
            #expect(try await h.call(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: a)).publishContext
                    == onA.publishContext)

            var get = ControllerGetVolumeRequest()
            get.volumeId = volume.volumeId
            let got = try await h.call(Controller.controllerGetVolume, get)
            #expect(got.volume?.volumeId == volume.volumeId && Set(got.status?.publishedNodeIds ?? []) == [a, b])
            let listed = try await h.call(Controller.listVolumes, ListVolumesRequest())
            #expect(Set(listed.entries.compactMap { $0.status?.publishedNodeIds }.flatMap { $0 }) == [a, b])

            // Deleting an attached VFS is refused; unpublish (twice: idempotent) and delete work.
            #expect(await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId)).code == .failedPrecondition)
            for node in [a, b, a] {
                _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: node))
            }
            #expect(try await h.api.fileSystemAttachments(id: cloudID).isEmpty)
            _ = try await h.call(Controller.deleteVolume, Requests.delete(volume.volumeId))
            _ = try await h.call(Controller.deleteVolume, Requests.delete(volume.volumeId))
            #expect(try await h.api.fileSystems().isEmpty)
            #expect(await h.status(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: a)).code == .notFound)
            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: a))
        }
    }

    @Test func nodesPublishOneVFSAtTheSameTime() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Self.shared("parallel")).volume!
            var nodes: [String] = []
            for _ in 0..<4 { nodes.append(try await h.newNode()) }
            // Every node's publish succeeds (none is ABORTED as a second operation on the volume).
            let contexts = try await withThrowingTaskGroup(of: [String: String].self) { group in
                for node in nodes {
                    group.addTask { try await h.call(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: node)).publishContext }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(contexts.compactMap { $0["mount_vol_name"] }).count == 4)
            #expect(try await h.api.fileSystemAttachments(id: String(volume.volumeId.dropFirst(4))).count == 4)
        }
    }

    @Test func publishingToAnUnknownNodeIsNotFound() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Self.shared("lost")).volume!
            let status = await h.status(Controller.controllerPublishVolume, Self.publish(volume.volumeId, to: "no-such-node"))
            #expect(status.code == .notFound && status.message.contains("node"), "\(status)")
        }
    }

    @Test func resizingAVFSNeedsNoNodeStep() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Self.shared("grow")).volume!
            var expand = ControllerExpandVolumeRequest()
            expand.volumeId = volume.volumeId
            var range = CapacityRange()
            range.requiredBytes = 25 << 30
            expand.capacityRange = range
            expand.volumeCapability = Requests.mount(.multiNodeMultiWriter, fsType: "")
            let expanded = try await h.call(Controller.controllerExpandVolume, expand)
            #expect(expanded.capacityBytes == 25 << 30)
            #expect(expanded.nodeExpansionRequired == false)
            #expect(try await h.api.fileSystem(id: String(volume.volumeId.dropFirst(4))).sizeGB == 25)
            // A block still needs its filesystem grown on the node.
            let block = try await h.call(Controller.createVolume, Requests.create("disk")).volume!
            expand.volumeId = block.volumeId
            expand.volumeCapability = Requests.mount()
            #expect(try await h.call(Controller.controllerExpandVolume, expand).nodeExpansionRequired == true)
        }
    }

    @Test func everyRefusalHasItsCode() async throws {
        try await ControllerHarness.with { h in
            // ReadWriteMany on block storage.
            var rwxBlock = Requests.create("rwx-block", parameters: ["storage_type": "block", "disk_type": "nvme"])
            rwxBlock.volumeCapabilities = [Requests.mount(.multiNodeMultiWriter)]
            let refused = await h.status(Controller.createVolume, rwxBlock)
            #expect(refused.code == .invalidArgument && refused.message.contains("vfs"), "\(refused)")
            // Raw block access on a VFS.
            var rawVFS = Self.shared("raw")
            rawVFS.volumeCapabilities = [Requests.block()]
            let raw = await h.status(Controller.createVolume, rawVFS)
            #expect(raw.code == .invalidArgument && raw.message.contains("raw block"), "\(raw)")
            // VFS comes on NVMe only; block-only node parameters are refused on it.
            for parameters in [["storage_type": "vfs", "disk_type": "hdd"], ["storage_type": "vfs", "block_type": "high_perf"],
                               ["storage_type": "vfs", "encrypted": "true"], ["storage_type": "nfs"]] {
                var request = Self.shared("bad")
                request.parameters = parameters
                #expect(await h.status(Controller.createVolume, request).code == .invalidArgument, "\(parameters)")
            }
            #expect(try await h.api.fileSystems().isEmpty)
            #expect(try await h.api.volumes().isEmpty)

            let volume = try await h.call(Controller.createVolume, Self.shared("shared")).volume!
            let node = try await h.newNode()
            var rawPublish = Self.publish(volume.volumeId, to: node)
            rawPublish.volumeCapability = Requests.block()
            #expect(await h.status(Controller.controllerPublishVolume, rawPublish).code == .invalidArgument)
            // No snapshots of a VFS, and no VFS from a snapshot or a clone.
            let snapshot = await h.status(Controller.createSnapshot, Requests.snapshot("snap", of: volume.volumeId))
            #expect(snapshot.code == .invalidArgument && snapshot.message.contains("VFS"), "\(snapshot)")
            var clone = Self.shared("clone")
            var source = VolumeContentSource()
            var from = VolumeContentSource.VolumeSource()
            from.volumeId = volume.volumeId
            source.type = .volume(from)
            clone.volumeContentSource = source
            #expect(await h.status(Controller.createVolume, clone).code == .invalidArgument)
            // ValidateVolumeCapabilities tells what a VFS meets.
            var validate = ValidateVolumeCapabilitiesRequest()
            validate.volumeId = volume.volumeId
            validate.volumeCapabilities = [Requests.mount(.multiNodeMultiWriter, fsType: "")]
            #expect(try await h.call(Controller.validateVolumeCapabilities, validate).confirmed != nil)
            validate.volumeCapabilities = [Requests.block()]
            #expect(try await h.call(Controller.validateVolumeCapabilities, validate).confirmed == nil)
        }
    }

    /// Vultr's six StorageClasses (vultr-csi v0.14.0's release manifest), unchanged.
    @Test(arguments: [
        ("vultr-block-storage", ["disk_type": "nvme", "storage_type": "block"]),
        ("vultr-block-storage-retain", ["disk_type": "nvme", "storage_type": "block"]),
        ("vultr-block-storage-hdd", ["disk_type": "hdd", "storage_type": "block"]),
        ("vultr-block-storage-hdd-retain", ["disk_type": "hdd", "storage_type": "block"]),
        ("vultr-vfs-storage", ["disk_type": "nvme", "storage_type": "vfs"]),
        ("vultr-vfs-storage-retain", ["disk_type": "nvme", "storage_type": "vfs"]),
    ])
    func vultrsStorageClassesProvision(name: String, parameters: [String: String]) async throws {
        try await ControllerHarness.with { h in
            // What external-provisioner adds to a class's parameters.
            var request = Requests.create("pvc-\(name)", parameters: parameters.merging(
                ["csi.storage.k8s.io/pvc/name": "data", "csi.storage.k8s.io/pvc/namespace": "default",
                 "csi.storage.k8s.io/pv/name": "pvc-\(name)"]) { a, _ in a })
            let shared = parameters["storage_type"] == "vfs"
            request.volumeCapabilities = [shared ? Requests.mount(.multiNodeMultiWriter, fsType: "") : Requests.mount()]
            let volume = try await h.call(Controller.createVolume, request).volume!
            if shared {
                #expect(volume.volumeId.hasPrefix("vfs-"))
                #expect(try await h.api.fileSystem(id: String(volume.volumeId.dropFirst(4))).diskType == "nvme")
            } else {
                let block = try await h.api.volume(id: volume.volumeId)
                #expect(block.blockType == (parameters["disk_type"] == "hdd" ? .storageOptimized : .highPerformance))
            }
            // Upper case works too: vultr-csi lower-cases the values.
            var upper = request
            upper.name = "upper-\(name)"
            upper.parameters = parameters.mapValues { $0.uppercased() }
            _ = try await h.call(Controller.createVolume, upper)
        }
    }
}
