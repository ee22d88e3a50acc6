import CSI
import CSIDriver
@testable import CSINode
import Foundation
import Logging
import RPC
import Synchronization
@testable import SystemIO
import Testing

/// A csi-node Node service served on a real Unix socket in a scratch directory, with helpers that
/// attach sparse files as loop devices behind `DEVICE_DIR/virtio-<id>` links the way
/// `localcloud --real-devices` does. `cleanup()` unmounts everything under the scratch directory
/// and detaches every loop device this harness made, whatever the test did.
final class NodeHarness: Sendable {
    let root: String
    let deviceDir: String
    let server: RPCServer
    let client: RPCClient
    let runner = CommandRunner(defaultTimeout: .seconds(60))
    private let loops = LoopRegistry()
    /// dm-crypt mappings a test may leave open; closed by `cleanup()`.
    let mappings = LoopRegistry()

    /// Whether the kernel offers device-mapper (dm-crypt needs it; some sandboxes lack it).
    static var hasDeviceMapper: Bool { FileManager.default.fileExists(atPath: "/sys/class/misc/device-mapper") }

    static var isRoot: Bool { getuid() == 0 }

    /// Whether this process has CAP_SYS_RESOURCE, which the kernel requires for online ext4
    /// resizing (some sandboxes withhold it even from root).
    static var canResizeExt4Online: Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << 24) != 0
    }

    init(deviceWait: Duration = .seconds(10), mounter: (any Mounter)? = nil, encryption: (any VolumeEncryption)? = nil,
         nodeID: String = "node-1", region: String = "ewr") throws {
        var template = Array("/tmp/mooring-node-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw DriverError.internal("mkdtemp failed") }
        root = String(cString: made)
        deviceDir = root + "/dev"
        try FileManager.default.createDirectory(atPath: deviceDir, withIntermediateDirectories: true)
        let socket = root + "/node.sock"
        let service = NodeService(
            configuration: .init(nodeID: nodeID, region: region, maxVolumesPerNode: 16,
                                 locator: DeviceLocator(directory: deviceDir, wait: deviceWait)),
            mounter: mounter ?? LinuxMounter(), encryption: encryption ?? LinuxVolumeEncryption(),
            logger: Logger(label: "node-test"))
        server = try PluginServer(endpoint: .unix(path: socket), logger: Logger(label: "node-test"))
            .start { service.register(on: $0) }
        client = RPCClient(endpoint: .unix(path: socket))
    }

    /// Runs `body` with a fresh harness and always cleans up after it.
    static func with(deviceWait: Duration = .seconds(10), mounter: (any Mounter)? = nil,
                     encryption: (any VolumeEncryption)? = nil,
                     _ body: (NodeHarness) async throws -> Void) async throws {
        let harness = try NodeHarness(deviceWait: deviceWait, mounter: mounter, encryption: encryption)
        do {
            try await body(harness)
        } catch {
            await harness.cleanup()
            throw error
        }
        await harness.cleanup()
    }

    func call<Request, Response>(_ method: CSIMethod<Request, Response>, _ request: Request) async throws -> Response {
        let bytes = try await client.unary(method.path, request.serializedBytes(), timeout: .seconds(90))
        return try Response(serializedBytes: bytes)
    }

    /// The status code and message a call fails with (fails the test when it succeeds).
    func failure<Request, Response>(_ method: CSIMethod<Request, Response>, _ request: Request,
                                    sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
        do {
            _ = try await client.unary(method.path, request.serializedBytes(), timeout: .seconds(90))
            Issue.record("\(method.path) succeeded but should have failed", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Disks

    /// A sparse backing file of `mebibytes`, attached as a loop device and linked as
    /// `virtio-<mountID>` (unless `link` is false).
    @discardableResult
    func attach(_ mountID: String, mebibytes: Int, link: Bool = true) async throws -> String {
        let file = "\(root)/\(mountID).img"
        if !FileManager.default.fileExists(atPath: file) {
            try await runner.run(["truncate", "-s", "\(mebibytes)M", file])
        }
        let loop = trimmedSpaces(try await runner.run(["losetup", "--find", "--show", file]).stdout
            .split(separator: "\n").first ?? "")
        loops.add(loop)
        if link { try self.link(mountID, to: loop) }
        return loop
    }

    func link(_ mountID: String, to loop: String) throws {
        try FileManager.default.createSymbolicLink(atPath: "\(deviceDir)/virtio-\(mountID)", withDestinationPath: loop)
    }

    /// Removes the link and detaches the loop device (the backing file stays, like a detached volume).
    func detach(_ mountID: String, loop: String) async throws {
        try? FileManager.default.removeItem(atPath: "\(deviceDir)/virtio-\(mountID)")
        try await runner.run(["losetup", "-d", loop])
        loops.remove(loop)
    }

    /// Grows the backing file and tells the loop device (like a cloud resize of an attached volume).
    func resize(_ mountID: String, loop: String?, mebibytes: Int) async throws {
        try await runner.run(["truncate", "-s", "\(mebibytes)M", "\(root)/\(mountID).img"])
        if let loop { try await runner.run(["losetup", "-c", loop]) }
    }

    /// The mounts under the scratch directory, deepest first.
    func mountsUnderRoot() throws -> [MountEntry] {
        // Not String(contentsOfFile:): Foundation reads a /proc file's first page only, so mounts
        // past the first 4 KiB of a busy table (a node running pods) were missing.
        let text = try LocalFiles.read("/proc/self/mountinfo")
        return MountEntry.parse(mountinfo: text).filter { $0.mountPoint.hasPrefix(root + "/") }.reversed()
    }

    func mounts(at path: String) throws -> [MountEntry] {
        try mountsUnderRoot().filter { $0.mountPoint == path }
    }

    func cleanup() async {
        client.close()
        await server.shutdown(grace: .seconds(5))
        for _ in 0..<4 {
            guard let mounts = try? mountsUnderRoot(), !mounts.isEmpty else { break }
            for entry in mounts {
                _ = try? await runner.runAllowingFailure(["umount", entry.mountPoint])
            }
        }
        for name in mappings.all {
            _ = try? await runner.runAllowingFailure(["cryptsetup", "luksClose", name])
        }
        for loop in loops.all {
            _ = try? await runner.runAllowingFailure(["losetup", "-d", loop])
        }
        if (try? mountsUnderRoot())?.isEmpty ?? false {
            try? FileManager.default.removeItem(atPath: root)
        }
    }
}

/// Names (loop devices, mappings) a harness made and has not released yet.
final class LoopRegistry: Sendable {
    private let loops = Mutex<[String]>([])
    func add(_ loop: String) { loops.withLock { $0.append(loop) } }
    func remove(_ loop: String) { loops.withLock { $0.removeAll { $0 == loop } } }
    var all: [String] { loops.withLock { $0 } }
}


// MARK: Request builders

func mountCapability(_ fsType: String = "ext4", flags: [String] = [], mode: VolumeCapability.AccessMode.Mode = .singleNodeWriter)
    -> VolumeCapability {
    var mount = VolumeCapability.MountVolume()
    mount.fsType = fsType
    mount.mountFlags = flags
    var capability = VolumeCapability()
    capability.accessType = .mount(mount)
    capability.accessMode = VolumeCapability.AccessMode()
    capability.accessMode?.mode = mode
    return capability
}

func blockCapability(mode: VolumeCapability.AccessMode.Mode = .singleNodeWriter) -> VolumeCapability {
    var capability = VolumeCapability()
    capability.accessType = .block(VolumeCapability.BlockVolume())
    capability.accessMode = VolumeCapability.AccessMode()
    capability.accessMode?.mode = mode
    return capability
}

func stageRequest(_ volumeID: String, mountID: String, staging: String, capability: VolumeCapability = mountCapability(),
                  context: [String: String] = [:], secrets: [String: String] = [:]) -> NodeStageVolumeRequest {
    var request = NodeStageVolumeRequest()
    request.secrets = secrets
    request.volumeId = volumeID
    request.publishContext = [DeviceLocator.deviceKey: "virtio-\(mountID)"]
    request.stagingTargetPath = staging
    request.volumeCapability = capability
    request.volumeContext = context
    return request
}

func publishRequest(_ volumeID: String, mountID: String, staging: String, target: String,
                    capability: VolumeCapability = mountCapability(), readOnly: Bool = false) -> NodePublishVolumeRequest {
    var request = NodePublishVolumeRequest()
    request.volumeId = volumeID
    request.publishContext = [DeviceLocator.mountIDKey: mountID]
    request.stagingTargetPath = staging
    request.targetPath = target
    request.volumeCapability = capability
    request.readonly = readOnly
    return request
}

func unpublishRequest(_ volumeID: String, target: String) -> NodeUnpublishVolumeRequest {
    var request = NodeUnpublishVolumeRequest()
    request.volumeId = volumeID
    request.targetPath = target
    return request
}

func unstageRequest(_ volumeID: String, staging: String) -> NodeUnstageVolumeRequest {
    var request = NodeUnstageVolumeRequest()
    request.volumeId = volumeID
    request.stagingTargetPath = staging
    return request
}

func statsRequest(_ volumeID: String, path: String) -> NodeGetVolumeStatsRequest {
    var request = NodeGetVolumeStatsRequest()
    request.volumeId = volumeID
    request.volumePath = path
    return request
}

func expandRequest(_ volumeID: String, path: String, requiredBytes: Int64) -> NodeExpandVolumeRequest {
    var request = NodeExpandVolumeRequest()
    request.volumeId = volumeID
    request.volumePath = path
    request.capacityRange = CapacityRange(requiredBytes: requiredBytes)
    return request
}

func statvfsTotal(_ path: String) -> Int64 {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return -1 }
    return Int64(info.f_blocks) * Int64(info.f_frsize)
}
