import CSIDriver
@testable import CSINode
import Synchronization
import SystemIO

/// An in-memory stand-in for the kernel and the filesystem tools, for unprivileged unit tests of
/// the Node service's decisions (what gets formatted, what is refused, what runs concurrently).
/// Paths it is given still exist on disk when the service creates them; mounts exist only here.
final class FakeMounter: Mounter {
    struct Disk {
        var number: DeviceNumber
        var size: Int64
        var content: DeviceContent = .blank
        var filesystemSize: Int64 = 0
    }

    struct State {
        var disks: [String: Disk] = [:]
        var mounts: [MountEntry] = []
        var formats: [String] = []
        var formatsRunning = 0
        var mostFormatsAtOnce = 0
        var grows = 0
    }

    let state = Mutex(State())
    /// How long `format` takes (to hold an operation in flight).
    let formatDelay: Duration

    init(formatDelay: Duration = .zero) {
        self.formatDelay = formatDelay
    }

    func addDisk(_ path: String, minor: UInt32, size: Int64, content: DeviceContent = .blank) {
        state.withLock { $0.disks[path] = Disk(number: DeviceNumber(major: 7, minor: minor), size: size, content: content) }
    }

    var formats: [String] { state.withLock { $0.formats } }
    /// The largest number of formats that were in progress at the same moment.
    var mostFormatsAtOnce: Int { state.withLock { $0.mostFormatsAtOnce } }

    func mounts(at path: String) async throws -> [MountEntry] {
        state.withLock { $0.mounts.filter { $0.mountPoint == path } }
    }

    func allMounts() async throws -> [MountEntry] {
        state.withLock { $0.mounts }
    }

    func mount(source: String, target: String, fsType: String, options: [String]) async throws {
        try state.withLock { state in
            guard let disk = state.disks[source] else { throw DriverError.internal("fake: no disk \(source)") }
            state.mounts.append(MountEntry(device: disk.number, root: "/", mountPoint: target, options: ["rw"] + options,
                                           fsType: fsType, source: source))
        }
    }

    func bindMount(source: String, target: String, readOnly: Bool) async throws {
        try state.withLock { state in
            if let disk = state.disks[source] {
                state.mounts.append(MountEntry(device: DeviceNumber(major: 0, minor: 5), root: source, mountPoint: target,
                                               options: [readOnly ? "ro" : "rw"], fsType: "devtmpfs", source: "udev"))
                _ = disk
                return
            }
            guard var entry = state.mounts.last(where: { $0.mountPoint == source }) else {
                throw DriverError.internal("fake: nothing mounted at \(source)")
            }
            entry.mountPoint = target
            entry.options = [readOnly ? "ro" : "rw"]
            state.mounts.append(entry)
        }
    }

    func unmount(_ target: String) async throws {
        try state.withLock { state in
            guard let index = state.mounts.lastIndex(where: { $0.mountPoint == target }) else {
                throw DriverError.internal("fake: \(target) not mounted")
            }
            state.mounts.remove(at: index)
        }
    }

    func blockDevice(at path: String) async throws -> DeviceNumber? {
        state.withLock { $0.disks[path]?.number }
    }

    func probe(device: String) async throws -> DeviceContent {
        try state.withLock { state in
            guard let disk = state.disks[device] else { throw DriverError.internal("fake: no disk \(device)") }
            return disk.content
        }
    }

    func format(device: String, as type: FilesystemType, options: [String]) async throws {
        state.withLock { state in
            state.formatsRunning += 1
            state.mostFormatsAtOnce = max(state.mostFormatsAtOnce, state.formatsRunning)
        }
        defer { state.withLock { $0.formatsRunning -= 1 } }
        if formatDelay > .zero { try await Task.sleep(for: formatDelay) }
        state.withLock { state in
            if var disk = state.disks[device] {
                disk.content = .filesystem(type.rawValue)
                disk.filesystemSize = disk.size
                state.disks[device] = disk
            }
            state.formats.append(device)
        }
    }

    func filesystemSize(device: String, type: FilesystemType, mountPoint: String?) async throws -> Int64 {
        state.withLock { $0.disks[device]?.filesystemSize ?? 0 }
    }

    func grow(device: String, type: FilesystemType, mountPoint: String?) async throws {
        state.withLock { state in
            if var disk = state.disks[device] {
                disk.filesystemSize = disk.size
                state.disks[device] = disk
            }
            state.grows += 1
        }
    }

    func deviceSize(_ path: String) async throws -> Int64 {
        try state.withLock { state in
            guard let disk = state.disks[path] else { throw DriverError.internal("fake: no disk \(path)") }
            return disk.size
        }
    }

    func statistics(_ path: String) async throws -> FilesystemStatistics {
        FilesystemStatistics(totalBytes: 1 << 30, availableBytes: 1 << 29, usedBytes: 1 << 29, totalInodes: 1000,
                             freeInodes: 900, usedInodes: 100)
    }
}
