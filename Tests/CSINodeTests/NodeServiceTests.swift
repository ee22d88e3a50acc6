import CSI
import CSIDriver
@testable import CSINode
import Foundation
import RPC
import SystemIO
import Testing

/// The Node service's decisions against a fake mounter (no root needed): what is advertised,
/// when a disk is formatted, what runs concurrently and what is refused.
@Suite struct NodeServiceTests {
    @Test func infoReportsNodeIDLimitAndRegionTopology() async throws {
        try await NodeHarness.with(mounter: FakeMounter()) { node in
            let info = try await node.call(CSIService.Node.nodeGetInfo, NodeGetInfoRequest())
            #expect(info.nodeId == "node-1")
            #expect(info.maxVolumesPerNode == 16)
            #expect(info.accessibleTopology?.segments == ["topology.block.csi.mooring.dev/region": "ewr"])
            let capabilities = try await node.call(CSIService.Node.nodeGetCapabilities, NodeGetCapabilitiesRequest())
            let types = capabilities.capabilities.compactMap { capability -> NodeServiceCapability.RPC.`Type`? in
                if case .rpc(let rpc)? = capability.type { return rpc.type }
                return nil
            }
            // STAGE_UNSTAGE_VOLUME, GET_VOLUME_STATS, EXPAND_VOLUME, VOLUME_CONDITION,
            // SINGLE_NODE_MULTI_WRITER by their spec numbers.
            #expect(Set(types.map(\.rawValue)) == [1, 2, 3, 4, 5])
        }
    }

    @Test func aBlankDiskIsFormattedOnceAndRestagingIsANoOp() async throws {
        let fake = FakeMounter()
        try await NodeHarness.with(mounter: fake) { node in
            fake.addDisk(node.deviceDir + "/virtio-m1", minor: 1, size: 1 << 30)
            let staging = node.root + "/staging"
            for _ in 0..<3 {
                _ = try await node.call(CSIService.Node.nodeStageVolume, stageRequest("v1", mountID: "m1", staging: staging))
            }
            #expect(fake.formats == [node.deviceDir + "/virtio-m1"])
            #expect(try await fake.mounts(at: staging).count == 1)
            // Staged as ext4; asking for XFS at the same path is an incompatible capability.
            let other = await node.failure(CSIService.Node.nodeStageVolume,
                                           stageRequest("v1", mountID: "m1", staging: staging, capability: mountCapability("xfs")))
            #expect(other?.code == .alreadyExists)
        }
    }

    @Test func aDiskHoldingSomethingElseIsNeverFormatted() async throws {
        let fake = FakeMounter()
        try await NodeHarness.with(mounter: fake) { node in
            fake.addDisk(node.deviceDir + "/virtio-pt", minor: 2, size: 1 << 30, content: .other("a gpt partition table"))
            let error = await node.failure(CSIService.Node.nodeStageVolume,
                                           stageRequest("v2", mountID: "pt", staging: node.root + "/s"))
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("gpt partition table") == true)
            #expect(fake.formats.isEmpty)
        }
    }

    @Test func theSameVolumeIsAbortedWhileDifferentVolumesRunTogether() async throws {
        let fake = FakeMounter(formatDelay: .milliseconds(700))
        try await NodeHarness.with(mounter: fake) { node in
            for id in ["a", "b"] {
                fake.addDisk(node.deviceDir + "/virtio-\(id)", minor: id == "a" ? 10 : 11, size: 1 << 30)
            }
            async let first = node.call(CSIService.Node.nodeStageVolume, stageRequest("va", mountID: "a", staging: node.root + "/a"))
            async let other = node.call(CSIService.Node.nodeStageVolume, stageRequest("vb", mountID: "b", staging: node.root + "/b"))
            try await Task.sleep(for: .milliseconds(200))
            let again = await node.failure(CSIService.Node.nodeStageVolume,
                                           stageRequest("va", mountID: "a", staging: node.root + "/a"))
            #expect(again?.code == .aborted)
            _ = try await (first, other)
            #expect(fake.mostFormatsAtOnce == 2, "two volumes were formatted one after the other")
            #expect(fake.formats.count == 2)
        }
    }

    @Test func aLargerDeviceIsGrownWhenStaged() async throws {
        let fake = FakeMounter()
        try await NodeHarness.with(mounter: fake) { node in
            let device = node.deviceDir + "/virtio-g"
            fake.addDisk(device, minor: 3, size: 1 << 30, content: .filesystem("xfs"))
            fake.state.withLock { $0.disks[device]?.filesystemSize = 1 << 29 }
            _ = try await node.call(CSIService.Node.nodeStageVolume,
                                    stageRequest("vg", mountID: "g", staging: node.root + "/s", capability: mountCapability("")))
            let entry = try #require(try await fake.mounts(at: node.root + "/s").last)
            #expect(entry.fsType == "xfs" && entry.options.contains("nouuid"))
            #expect(fake.state.withLock { $0.grows } == 1)
            #expect(fake.formats.isEmpty)
        }
    }

    @Test func publishingElsewhereMountedOrWithOtherModeIsAlreadyExists() async throws {
        let fake = FakeMounter()
        try await NodeHarness.with(mounter: fake) { node in
            fake.addDisk(node.deviceDir + "/virtio-p", minor: 5, size: 1 << 30)
            let staging = node.root + "/s", target = node.root + "/t"
            _ = try await node.call(CSIService.Node.nodeStageVolume, stageRequest("vp", mountID: "p", staging: staging))
            _ = try await node.call(CSIService.Node.nodePublishVolume,
                                    publishRequest("vp", mountID: "p", staging: staging, target: target))
            _ = try await node.call(CSIService.Node.nodePublishVolume,
                                    publishRequest("vp", mountID: "p", staging: staging, target: target))
            let readOnly = await node.failure(CSIService.Node.nodePublishVolume,
                                              publishRequest("vp", mountID: "p", staging: staging, target: target, readOnly: true))
            #expect(readOnly?.code == .alreadyExists)
            _ = try await node.call(CSIService.Node.nodeUnpublishVolume, unpublishRequest("vp", target: target))
            #expect(try await fake.mounts(at: target).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }
}

@Suite struct NodeValidationTests {
    @Test(arguments: ["", "rel/path", "/a/../b", "/a/./b", "/a//b", "/a/b/", "/", "/a\nb"])
    func uncleanPathsAreInvalid(path: String) {
        #expect(throws: DriverError.self) { try VolumePath.validate(path, field: "target_path") }
    }

    @Test func cleanAbsolutePathsPass() throws {
        #expect(try VolumePath.validate("/var/lib/kubelet/pods/x/volume", field: "p") == "/var/lib/kubelet/pods/x/volume")
    }

    @Test func mountOptionsAreSplitAndChecked() throws {
        #expect(try MountOptions.validate(["noatime,discard", "commit=30", "noatime"]) == ["noatime", "discard", "commit=30"])
        for bad in ["bind", "remount,ro", "a b", "x;y", "-o", "", "opt\u{0}", "loop=/dev/x", "rbind"] {
            #expect(throws: DriverError.self, "\(bad)") { try MountOptions.validate([bad]) }
        }
    }

    @Test func formatOptionsRefuseForceAndDryRuns() throws {
        #expect(try FormatOptions.validate("-b 4096 -E nodiscard") == ["-b", "4096", "-E", "nodiscard"])
        for bad in ["-F", "-n", "-N 4", "-b 4096; reboot", "-d file=/etc/passwd", "$(x)", "--", "-b 4096 -- 99"] {
            #expect(throws: DriverError.self, "\(bad)") { try FormatOptions.validate(bad) }
        }
    }

    @Test func mountinfoLinesParseWithEscapes() {
        let text = """
        36 35 98:0 / /var/lib/my\\040dir rw,noatime master:1 - ext4 /dev/loop3 rw,errors=remount-ro
        37 35 0:5 /loop3 /pods/raw ro shared:2 - devtmpfs udev rw
        garbage
        """
        let entries = MountEntry.parse(mountinfo: text)
        #expect(entries.count == 2)
        #expect(entries[0].mountPoint == "/var/lib/my dir" && entries[0].fsType == "ext4" && entries[0].source == "/dev/loop3")
        #expect(entries[0].device == DeviceNumber(major: 98, minor: 0) && !entries[0].readOnly)
        #expect(entries[1].root == "/loop3" && entries[1].readOnly)
    }

    @Test func deviceNamesComeFromThePublishContext() throws {
        #expect(try DeviceLocator.deviceName(in: ["device_name": "virtio-abc"], volumeID: "v") == "virtio-abc")
        #expect(try DeviceLocator.deviceName(in: ["mount_id": "abc"], volumeID: "v") == "virtio-abc")
        #expect(throws: DriverError.self) { try DeviceLocator.deviceName(in: [:], volumeID: "v") }
        #expect(throws: DriverError.self) { try DeviceLocator.deviceName(in: ["device_name": "../sda"], volumeID: "v") }
    }
}

@Suite struct CommandRunnerTests {
    let runner = CommandRunner()

    @Test func failuresCarryExitStatusAndStderr() async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(["sh", "-c", "echo 'bad superblock' >&2; exit 3"])
        }
        #expect(error?.reason == .exited(3))
        #expect(error?.description == "sh -c echo 'bad superblock' >&2; exit 3 exited with status 3: bad superblock")
    }

    @Test func aProgramPastItsTimeoutIsKilled() async throws {
        let started = ContinuousClock.now
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(["sh", "-c", "sleep 30"], timeout: .milliseconds(300))
        }
        #expect(error?.reason == .timedOut(.milliseconds(300)))
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func inputReachesStandardInputAndOutputComesBack() async throws {
        let output = try await runner.run(["cat"], input: Array("secret passphrase".utf8))
        #expect(output.stdout == "secret passphrase")
    }

    @Test func programsInheritNoDescriptorsBeyondTheStandardThree() async throws {
        // Opened without close-on-exec, as a careless thread elsewhere in the process might.
        let leaky = open("/proc/self/status", O_RDONLY)
        defer { close(leaky) }
        #expect(leaky > 2)
        let output = try await runner.run(["sh", "-c", "ls /proc/$$/fd"])
        #expect(output.stdout.split(separator: "\n") == ["0", "1", "2"])
    }

    @Test func aMissingProgramIsReportedAsNotInstalled() async throws {
        let error = await #expect(throws: CommandError.self) { try await runner.run(["no-such-tool-x9"]) }
        #expect(error?.description.contains("no-such-tool-x9 is not installed") == true)
    }
}

/// LUKS orchestration against fakes (this machine has no device-mapper to run dm-crypt for real).
@Suite struct NodeEncryptionTests {
    let secrets = ["encryption-passphrase": "correct horse battery staple"]

    @Test func aBlankDiskIsEncryptedThenFormattedInsideAndClosedOnUnstage() async throws {
        let fake = FakeMounter()
        let crypt = FakeEncryption(mounter: fake)
        try await NodeHarness.with(mounter: fake, encryption: crypt) { node in
            fake.addDisk(node.deviceDir + "/virtio-e", minor: 4, size: 1 << 30)
            let staging = node.root + "/s"
            for _ in 0..<2 {
                _ = try await node.call(CSIService.Node.nodeStageVolume,
                                        stageRequest("ve", mountID: "e", staging: staging, context: ["encrypted": "true"],
                                                     secrets: secrets))
            }
            #expect(crypt.state.withLock { $0.formats } == 1)
            // The filesystem goes on the mapping, never on the raw device.
            #expect(fake.formats == ["/dev/mapper/mooring-ve"])
            #expect(try await fake.mounts(at: staging).map(\.source) == ["/dev/mapper/mooring-ve"])
            _ = try await node.call(CSIService.Node.nodeUnstageVolume, unstageRequest("ve", staging: staging))
            #expect(crypt.state.withLock { $0.open.isEmpty })
            // Staged again after unstaging: opened, not re-encrypted or reformatted.
            _ = try await node.call(CSIService.Node.nodeStageVolume,
                                    stageRequest("ve", mountID: "e", staging: staging, context: ["encrypted": "true"],
                                                 secrets: secrets))
            #expect(crypt.state.withLock { $0.formats } == 1 && fake.formats.count == 1)
        }
    }

    @Test func missingOrWrongPassphrasesAndPlainDisksAreRefusedWithoutEchoingSecrets() async throws {
        let fake = FakeMounter()
        let crypt = FakeEncryption(mounter: fake)
        try await NodeHarness.with(mounter: fake, encryption: crypt) { node in
            fake.addDisk(node.deviceDir + "/virtio-e", minor: 4, size: 1 << 30)
            fake.addDisk(node.deviceDir + "/virtio-p", minor: 5, size: 1 << 30, content: .filesystem("ext4"))
            let encrypted = ["encrypted": "true"]
            let missing = await node.failure(CSIService.Node.nodeStageVolume,
                                             stageRequest("ve", mountID: "e", staging: node.root + "/s", context: encrypted))
            #expect(missing?.code == .invalidArgument)
            #expect(missing?.message.contains("encryption-passphrase") == true)

            _ = try await node.call(CSIService.Node.nodeStageVolume,
                                    stageRequest("ve", mountID: "e", staging: node.root + "/s", context: encrypted,
                                                 secrets: secrets))
            _ = try await node.call(CSIService.Node.nodeUnstageVolume, unstageRequest("ve", staging: node.root + "/s"))
            let wrong = await node.failure(CSIService.Node.nodeStageVolume,
                                           stageRequest("ve", mountID: "e", staging: node.root + "/s", context: encrypted,
                                                        secrets: ["encryption-passphrase": "wrong-secret-77"]))
            #expect(wrong?.code == .failedPrecondition)
            #expect(wrong?.message.contains("wrong-secret-77") == false)

            let plain = await node.failure(CSIService.Node.nodeStageVolume,
                                           stageRequest("vp", mountID: "p", staging: node.root + "/p", context: encrypted,
                                                        secrets: secrets))
            #expect(plain?.code == .failedPrecondition)
            #expect(plain?.message.contains("unencrypted ext4") == true)
            #expect(crypt.state.withLock { $0.formats } == 1)

            let odd = await node.failure(CSIService.Node.nodeStageVolume,
                                         stageRequest("ve", mountID: "e", staging: node.root + "/s",
                                                      context: ["encrypted": "yes please"], secrets: secrets))
            #expect(odd?.code == .invalidArgument)
        }
    }
}

@Suite struct NodeVolumePathTests {
    @Test func statsAndExpandOfAPathThatCannotNameAVolumeAreNotFound() async throws {
        try await NodeHarness.with(mounter: FakeMounter()) { node in
            for path in ["some/path", "/a/../b", "/trailing/"] {
                var stats = NodeGetVolumeStatsRequest()
                stats.volumeId = "vol-x"
                stats.volumePath = path
                #expect(await node.failure(CSIService.Node.nodeGetVolumeStats, stats)?.code == .notFound, "\(path)")
                var expand = NodeExpandVolumeRequest()
                expand.volumeId = "vol-x"
                expand.volumePath = path
                #expect(await node.failure(CSIService.Node.nodeExpandVolume, expand)?.code == .notFound, "\(path)")
            }
            var missing = NodeGetVolumeStatsRequest()
            missing.volumeId = "vol-x"
            #expect(await node.failure(CSIService.Node.nodeGetVolumeStats, missing)?.code == .invalidArgument)
        }
    }
}
