import CloudAPI
import CSI
import CSIController
import CSIDriver
import RPC
import Testing

typealias Controller = CSIService.Controller

@Suite struct VolumeTests {
    @Test func capabilitiesAreExactlyWhatIsServed() async throws {
        try await ControllerHarness.with { h in
            let plugin = try await h.call(CSIService.Identity.getPluginCapabilities, GetPluginCapabilitiesRequest())
            let services = plugin.capabilities.compactMap { capability -> PluginCapability.Service.`Type`? in
                if case .service(let service) = capability.type { return service.type }
                return nil
            }
            #expect(Set(services) == [.controllerService, .volumeAccessibilityConstraints])
            let controller = try await h.call(Controller.controllerGetCapabilities, ControllerGetCapabilitiesRequest())
            let rpcs = Set(controller.capabilities.compactMap { capability -> ControllerServiceCapability.RPC.`Type`? in
                if case .rpc(let rpc) = capability.type { return rpc.type }
                return nil
            })
            #expect(rpcs.isSuperset(of: [.createDeleteVolume, .publishUnpublishVolume, .listVolumes, .expandVolume,
                                         .createDeleteSnapshot, .listSnapshots, .getVolume, .cloneVolume]))
            #expect(!rpcs.contains(.getCapacity))
            #expect(await h.status(Controller.getCapacity, GetCapacityRequest()).code == .unimplemented)
        }
    }

    @Test func createValidatesEveryInput() async throws {
        try await ControllerHarness.with { h in
            var noCapabilities = Requests.create("v")
            noCapabilities.volumeCapabilities = []
            var noMode = Requests.create("v")
            noMode.volumeCapabilities[0].accessMode = nil
            var multiNode = Requests.create("v")
            multiNode.volumeCapabilities = [Requests.mount(.multiNodeMultiWriter)]
            var badFS = Requests.create("v")
            badFS.volumeCapabilities = [Requests.mount(fsType: "zfs")]
            var crossed = Requests.create("v", requiredGiB: 20)
            crossed.capacityRange?.limitBytes = 10 << 30
            for request in [Requests.create(""), noCapabilities, noMode, multiNode, badFS, crossed,
                            Requests.create("v", parameters: ["iops": "100"]),
                            Requests.create("v", parameters: ["block_type": "ssd"]),
                            Requests.create("v", parameters: ["block_type": "high_perf", "disk_type": "hdd"]),
                            Requests.create("v", parameters: ["encrypted": "yes"]),
                            Requests.create("v", parameters: ["fsFormatOptions": "-F"]),
                            Requests.create("v", parameters: ["fsFormatOptions": "-b 4096; rm -rf /"])] {
                let status = await h.status(Controller.createVolume, request)
                #expect(status.code == .invalidArgument, "\(request): \(status)")
            }
            let volumes = try await h.api.volumes()
            #expect(volumes.isEmpty)
        }
    }

    @Test func nodeParametersTravelToTheNodeInTheVolumeContext() async throws {
        try await ControllerHarness.with { h in
            let parameters = ["encrypted": "true", "fsFormatOptions": "-b 4096 -E nodiscard", "block_type": "high_perf",
                              "csi.storage.k8s.io/pvc/name": "data"]
            let volume = try await h.call(Controller.createVolume, Requests.create("enc", parameters: parameters)).volume!
            #expect(volume.volumeContext == ["encrypted": "true", "fsFormatOptions": "-b 4096 -E nodiscard"])
            // A retried create answers with the same context.
            let again = try await h.call(Controller.createVolume, Requests.create("enc", parameters: parameters)).volume!
            #expect(again.volumeId == volume.volumeId && again.volumeContext == volume.volumeContext)
            let plain = try await h.call(Controller.createVolume, Requests.create("plain")).volume!
            #expect(plain.volumeContext.isEmpty)
        }
    }

    @Test func sizesRoundUpToWholeGiBWithinTheTypeRange() async throws {
        try await ControllerHarness.with { h in
            let tiny = try await h.call(Controller.createVolume, Requests.create("tiny", requiredBytes: 1)).volume!
            #expect(tiny.capacityBytes == 10 << 30)
            let odd = try await h.call(Controller.createVolume, Requests.create("odd", requiredBytes: (11 << 30) + 1)).volume!
            #expect(odd.capacityBytes == 12 << 30)
            let hdd = try await h.call(Controller.createVolume, Requests.create("hdd", parameters: ["disk_type": "hdd"])).volume!
            #expect(hdd.capacityBytes == 40 << 30)
            #expect(try await h.api.volume(id: hdd.volumeId).blockType == .storageOptimized)
            // Vultr's names, and the provisioner's own keys, are accepted.
            let vultr = try await h.call(Controller.createVolume, Requests.create(
                "vultr", parameters: ["block_type": "storage_opt", "csi.storage.k8s.io/pvc/name": "data"])).volume!
            #expect(try await h.api.volume(id: vultr.volumeId).blockType == .storageOptimized)

            #expect(await h.status(Controller.createVolume, Requests.create("huge", requiredGiB: 10_001)).code == .outOfRange)
            #expect(await h.status(Controller.createVolume, Requests.create("cap", limitBytes: 5 << 30)).code == .outOfRange)
            #expect(await h.status(Controller.createVolume, Requests.create(
                "hddcap", requiredGiB: 20, limitBytes: 30 << 30, parameters: ["disk_type": "hdd"])).code == .outOfRange)
        }
    }

    @Test func createIsIdempotentByName() async throws {
        try await ControllerHarness.with { h in
            let first = try await h.call(Controller.createVolume, Requests.create("pvc-1", requiredGiB: 10)).volume!
            let again = try await h.call(Controller.createVolume, Requests.create("pvc-1", requiredGiB: 10)).volume!
            #expect(again == first)
            let other = await h.status(Controller.createVolume, Requests.create("pvc-1", requiredGiB: 20))
            #expect(other.code == .alreadyExists)
            #expect(other.message.contains("pvc-1"))
            #expect(try await h.api.volumes().count == 1)
            #expect(try await h.api.volume(id: first.volumeId).status == .active)
        }
    }

    @Test func topologyPicksTheRequestedRegionAndReportsIt() async throws {
        try await ControllerHarness.with { h in
            var request = Requests.create("eu")
            var requirement = TopologyRequirement()
            requirement.requisite = [RegionTopology.topology(region: "ams"), RegionTopology.topology(region: "fra")]
            requirement.preferred = [RegionTopology.topology(region: "fra")]
            request.accessibilityRequirements = requirement
            let volume = try await h.call(Controller.createVolume, request).volume!
            #expect(volume.accessibleTopology == [RegionTopology.topology(region: "fra")])
            #expect(try await h.api.volume(id: volume.volumeId).region == "fra")
            let plain = try await h.call(Controller.createVolume, Requests.create("default")).volume!
            #expect(plain.accessibleTopology == [RegionTopology.topology(region: "ewr")])

            var otherKeys = Requests.create("zone")
            var zoneOnly = TopologyRequirement()
            var zone = Topology()
            zone.segments = ["topology.kubernetes.io/zone": "a"]
            zoneOnly.requisite = [zone]
            otherKeys.accessibilityRequirements = zoneOnly
            #expect(await h.status(Controller.createVolume, otherKeys).code == .invalidArgument)
            // The same name in a region the requirement excludes is another volume.
            var moved = Requests.create("default")
            var amsOnly = TopologyRequirement()
            amsOnly.requisite = [RegionTopology.topology(region: "ams")]
            moved.accessibilityRequirements = amsOnly
            #expect(await h.status(Controller.createVolume, moved).code == .alreadyExists)
        }
    }

    @Test func deleteIsIdempotentAndRefusesAttachedVolumes() async throws {
        try await ControllerHarness.with { h in
            #expect(await h.status(Controller.deleteVolume, Requests.delete("")).code == .invalidArgument)
            #expect(await h.status(Controller.deleteVolume, Requests.delete("no-such-volume")).code == .ok)
            let volume = try await h.call(Controller.createVolume, Requests.create("d")).volume!
            let node = try await h.newNode()
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            let attached = await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId))
            #expect(attached.code == .failedPrecondition, "\(attached)")
            _ = try await h.call(Controller.controllerUnpublishVolume, Requests.unpublish(volume.volumeId, from: node))
            #expect(await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId)).code == .ok)
            #expect(await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId)).code == .ok)
            #expect(try await h.api.volumes().count == 0)
        }
    }

    @Test func listPagesWithTokensAndReportsPublishedNodes() async throws {
        try await ControllerHarness.with { h in
            var ids: [String] = []
            for name in ["a", "b", "c"] {
                ids.append(try await h.call(Controller.createVolume, Requests.create(name)).volume!.volumeId)
            }
            let node = try await h.newNode()
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(ids[1], to: node))
            var request = ListVolumesRequest()
            request.maxEntries = 2
            let first = try await h.call(Controller.listVolumes, request)
            #expect(first.entries.count == 2)
            #expect(!first.nextToken.isEmpty)
            request.startingToken = first.nextToken
            let second = try await h.call(Controller.listVolumes, request)
            #expect(second.entries.count == 1)
            #expect(second.nextToken.isEmpty)
            let all = first.entries + second.entries
            #expect(Set(all.map { $0.volume!.volumeId }) == Set(ids))
            let published = all.first { $0.volume!.volumeId == ids[1] }!
            #expect(published.status?.publishedNodeIds == [node])
            request.startingToken = "not-a-token"
            #expect(await h.status(Controller.listVolumes, request).code == .aborted)
            request.startingToken = "99"
            #expect(await h.status(Controller.listVolumes, request).code == .aborted)
        }
    }

    @Test func getValidateAndExpand() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("g", requiredGiB: 10)).volume!
            var get = ControllerGetVolumeRequest()
            get.volumeId = volume.volumeId
            let got = try await h.call(Controller.controllerGetVolume, get)
            #expect(got.volume?.volumeId == volume.volumeId)
            #expect(got.status?.volumeCondition?.abnormal == false)
            get.volumeId = "missing"
            #expect(await h.status(Controller.controllerGetVolume, get).code == .notFound)

            var validate = ValidateVolumeCapabilitiesRequest()
            validate.volumeId = volume.volumeId
            validate.volumeCapabilities = [Requests.mount()]
            #expect(try await h.call(Controller.validateVolumeCapabilities, validate).confirmed != nil)
            validate.volumeCapabilities = [Requests.mount(.multiNodeMultiWriter)]
            let refused = try await h.call(Controller.validateVolumeCapabilities, validate)
            #expect(refused.confirmed == nil && !refused.message.isEmpty)
            validate.volumeCapabilities = []
            #expect(await h.status(Controller.validateVolumeCapabilities, validate).code == .invalidArgument)
            validate.volumeCapabilities = [Requests.mount()]
            validate.volumeId = "missing"
            #expect(await h.status(Controller.validateVolumeCapabilities, validate).code == .notFound)

            var expand = ControllerExpandVolumeRequest()
            expand.volumeId = volume.volumeId
            var range = CapacityRange()
            range.requiredBytes = (15 << 30) + 1
            expand.capacityRange = range
            let grown = try await h.call(Controller.controllerExpandVolume, expand)
            #expect(grown.capacityBytes == 16 << 30)
            #expect(grown.nodeExpansionRequired)
            #expect(try await h.api.volume(id: volume.volumeId).sizeGB == 16)
            // Asking for less than it has changes nothing and reports the real size.
            range.requiredBytes = 12 << 30
            expand.capacityRange = range
            expand.volumeCapability = Requests.block()
            let same = try await h.call(Controller.controllerExpandVolume, expand)
            #expect(same.capacityBytes == 16 << 30 && !same.nodeExpansionRequired)
            range.requiredBytes = 10_001 << 30
            expand.capacityRange = range
            #expect(await h.status(Controller.controllerExpandVolume, expand).code == .outOfRange)
            expand.capacityRange = nil
            #expect(await h.status(Controller.controllerExpandVolume, expand).code == .invalidArgument)
            expand.capacityRange = range
            expand.volumeId = "missing"
            #expect(await h.status(Controller.controllerExpandVolume, expand).code == .notFound)
        }
    }
}
