import CloudAPI
import CSI
import CSIController
import CSIDriver
import RPC
import Testing

@Suite struct PublishTests {
    @Test func publishTellsTheNodeWhereTheDiskIsAndIsIdempotent() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("p")).volume!
            let node = try await h.newNode()
            let published = try await h.call(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            let cloudVolume = try await h.api.volume(id: volume.volumeId)
            #expect(cloudVolume.attachedInstanceID == node)
            // Mooring's keys, and vultr-csi's (mount_vol_name, storage_type) so either node plugin can read it.
            #expect(published.publishContext == ["mount_id": cloudVolume.mountID, "device_name": "virtio-\(cloudVolume.mountID)",
                                                 "mount_vol_name": cloudVolume.mountID, "storage_type": "block"])
            let again = try await h.call(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            #expect(again.publishContext == published.publishContext)

            let elsewhere = try await h.newNode()
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: elsewhere))
            #expect(status.code == .failedPrecondition, "\(status)")
            #expect(status.message.contains(node))

            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: elsewhere))
            #expect(try await h.api.volume(id: volume.volumeId).attachedInstanceID == node, "unpublish from another node detached it")
            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: node))
            #expect(try await h.api.volume(id: volume.volumeId).attachedInstanceID == nil)
            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: node))
            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish("gone", from: node))
        }
    }

    @Test func publishRefusesBadInputAndUnknownThings() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("p")).volume!
            let node = try await h.newNode()
            var noCapability = Requests.publish(volume.volumeId, to: node)
            noCapability.volumeCapability = nil
            var readonly = Requests.publish(volume.volumeId, to: node)
            readonly.readonly = true
            for request in [Requests.publish("", to: node), Requests.publish(volume.volumeId, to: ""), noCapability, readonly] {
                #expect(await h.status(Controller.controllerPublishVolume, request).code == .invalidArgument)
            }
            let unknownVolume = await h.status(Controller.controllerPublishVolume, Requests.publish("no-such-volume", to: node))
            #expect(unknownVolume.code == .notFound && unknownVolume.message.contains("volume"))
            let unknownNode = await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: "no-such-node"))
            #expect(unknownNode.code == .notFound && unknownNode.message.contains("node"))
            #expect(await h.status(Controller.controllerUnpublishVolume, Requests.unpublish("", from: node)).code == .invalidArgument)
        }
    }

    @Test func theCloudsAttachLimitIsResourceExhausted() async throws {
        try await ControllerHarness.with(cloud: { $0.attachLimit = 1 }) { h in
            let node = try await h.newNode()
            let first = try await h.call(Controller.createVolume, Requests.create("one")).volume!
            let second = try await h.call(Controller.createVolume, Requests.create("two")).volume!
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(first.volumeId, to: node))
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(second.volumeId, to: node))
            #expect(status.code == .resourceExhausted, "\(status)")
        }
    }

    @Test func maxVolumesPerNodeIsResourceExhausted() async throws {
        try await ControllerHarness.with(options: { $0.maxVolumesPerNode = 1 }) { h in
            let node = try await h.newNode()
            let first = try await h.call(Controller.createVolume, Requests.create("one")).volume!
            let second = try await h.call(Controller.createVolume, Requests.create("two")).volume!
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(first.volumeId, to: node))
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(first.volumeId, to: node))
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(second.volumeId, to: node))
            #expect(status.code == .resourceExhausted, "\(status)")
            #expect(try await h.api.volume(id: second.volumeId).attachedInstanceID == nil)
        }
    }

    @Test func aVolumeStillProvisioningIsUnavailableSoTheSidecarRetries() async throws {
        try await ControllerHarness.with(cloud: { $0.pendingDuration = .seconds(30) }) { h in
            let node = try await h.newNode()
            let pending = try await h.api.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "slow"))
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(pending.id, to: node))
            #expect(status.code == .unavailable, "\(status)")
        }
    }

    @Test func aVolumeInAnotherRegionCannotAttach() async throws {
        try await ControllerHarness.with { h in
            let node = try await h.newNode(region: "ams")
            let volume = try await h.call(Controller.createVolume, Requests.create("ewr-volume")).volume!
            let status = await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            #expect(status.code == .failedPrecondition, "\(status)")
        }
    }
}
