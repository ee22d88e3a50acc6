import CSIDriver
@testable import CSINode
import RPC
@testable import SystemIO
import Testing

@Suite struct CommandErrorStatusTests {
    @Test func toolFailuresKeepTheToolsWordsAndTimeoutsAreDeadlines() {
        let failed = CommandError(command: ["mount", "-t", "xfs"], reason: .exited(32), stderr: "wrong fs type\n")
        #expect(StatusMapping.status(for: failed) == RPCError(.internal, "mount -t xfs exited with status 32: wrong fs type"))
        let hung = CommandError(command: ["mkfs.xfs"], reason: .timedOut(.seconds(5)), stderr: "")
        #expect(StatusMapping.status(for: hung).code == .deadlineExceeded)
    }

    @Test func theNodeFindsABlockDeviceByTheNameTheControllerPublished() throws {
        let block = PublishContext.context(mountID: "ewr-abc")
        #expect(try DeviceLocator.deviceName(in: block, volumeID: "v") == "virtio-ewr-abc")
        #expect(try DeviceLocator.deviceName(in: ["mount_vol_name": "ewr-abc", "storage_type": "block"], volumeID: "v")
                == "virtio-ewr-abc")
    }
}

@Suite struct SystemErrorStatusTests {
    @Test func pathsInTheWayAndMissingParentsAreTheCallersProblem() {
        #expect(StatusMapping.status(for: SystemError("mkdir", code: 20, path: "/t/x"))  // ENOTDIR
            == RPCError(.failedPrecondition, "/t/x exists and is not a directory"))
        #expect(StatusMapping.status(for: SystemError("create", code: 2, path: "/t/x"))  // ENOENT
            == RPCError(.notFound, "the parent directory of /t/x does not exist"))
        #expect(StatusMapping.status(for: SystemError("stat", code: 5, path: "/t/x"))  // EIO
            == RPCError(.internal, "stat /t/x: Input/output error"))
    }
}
