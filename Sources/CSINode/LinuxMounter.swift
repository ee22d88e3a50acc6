import CSIDriver
import RPC
import SystemIO

/// The real `Mounter`: util-linux, e2fsprogs and xfsprogs through `CommandRunner`, the mount
/// table from `/proc/self/mountinfo`, and `stat`/`statvfs` on blocking threads.
public struct LinuxMounter: Mounter {
    public let runner: CommandRunner
    /// Run time allowed for mkfs and filesystem growth on large disks.
    public var formatTimeout: Duration = .seconds(600)
    /// Where the mount table is read from.
    public var mountinfoPath = "/proc/self/mountinfo"

    public init(runner: CommandRunner = CommandRunner()) {
        self.runner = runner
    }

    public func mounts(at path: String) async throws -> [MountEntry] {
        let file = mountinfoPath
        return try await Blocking.run {
            // The kernel lists mount points with symbolic links resolved (a kubelet directory
            // reached through a link, say); compare with the resolved path when it exists.
            let resolved = LocalFiles.resolve(path)
            return MountEntry.parse(mountinfo: try LocalFiles.read(file))
                .filter { $0.mountPoint == path || $0.mountPoint == resolved }
        }
    }

    public func allMounts() async throws -> [MountEntry] {
        let file = mountinfoPath
        return try await Blocking.run { MountEntry.parse(mountinfo: try LocalFiles.read(file)) }
    }

    public func mount(source: String, target: String, fsType: String, options: [String]) async throws {
        var argv = ["mount", "-t", fsType]
        if !options.isEmpty { argv += ["-o", options.joined(separator: ",")] }
        try await runner.run(argv + ["--", source, target], timeout: .seconds(120))
    }

    public func bindMount(source: String, target: String, readOnly: Bool) async throws {
        try await runner.run(["mount", "--bind", "--", source, target], timeout: .seconds(60))
        guard readOnly else { return }
        // A bind mount takes the per-mount read-only flag only through a remount.
        do {
            try await runner.run(["mount", "-o", "remount,bind,ro", "--", target], timeout: .seconds(60))
        } catch {
            _ = try? await runner.run(["umount", "--", target], timeout: .seconds(60))
            throw error
        }
    }

    public func unmount(_ target: String) async throws {
        try await runner.run(["umount", "--", target], timeout: .seconds(120))
    }

    public func blockDevice(at path: String) async throws -> DeviceNumber? {
        try await Blocking.run { () throws(DriverError) -> DeviceNumber? in
            do throws(SystemError) {
                return try LocalFiles.blockDevice(at: path)
            } catch {
                if error.call == "stat", error.code == SystemError.notABlockDevice {
                    throw DriverError.failedPrecondition("\(path) exists but is not a block device")
                }
                throw DriverError.internal("cannot stat \(path): \(error.reason)")
            }
        }
    }

    public func probe(device: String) async throws -> DeviceContent {
        // -p: read the superblocks now, not blkid's cache, which does not know a fresh disk.
        let output = try await runner.runAllowingFailure(["blkid", "-p", "-o", "export", "--", device], timeout: .seconds(60))
        switch output.status {
        case 0:
            var fields: [String: String] = [:]
            for line in output.stdout.split(separator: "\n") {
                let pair = line.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            if let type = fields["TYPE"] { return .filesystem(type) }
            if let table = fields["PTTYPE"] { return .other("a \(table) partition table") }
            return .other("an unrecognised signature (\(output.stdout.split(separator: "\n").joined(separator: " ")))")
        case 2:
            return .blank
        case 8:
            return .other("ambiguous signatures")
        default:
            throw CommandError(command: ["blkid", "-p", "-o", "export", "--", device], reason: .exited(output.status),
                               stderr: output.stderr)
        }
    }

    public func format(device: String, as type: FilesystemType, options: [String]) async throws {
        switch type {
        case .ext4:
            try await runner.run(["mkfs.ext4", "-F", "-q"] + options + [device], timeout: formatTimeout)
        case .xfs:
            try await runner.run(["mkfs.xfs", "-q"] + options + [device], timeout: formatTimeout)
        }
    }

    public func filesystemSize(device: String, type: FilesystemType, mountPoint: String?) async throws -> Int64 {
        switch type {
        case .ext4:
            let output = try await runner.run(["dumpe2fs", "-h", device], timeout: .seconds(60)).stdout
            guard let blocks = Self.field("Block count:", in: output), let size = Self.field("Block size:", in: output) else {
                throw DriverError.internal("dumpe2fs -h \(device) printed no block count and size")
            }
            return blocks * size
        case .xfs:
            guard let mountPoint else { throw DriverError.internal("the size of an XFS filesystem is read while it is mounted") }
            // "data     =                       bsize=4096   blocks=262144, imaxpct=25"
            let output = try await runner.run(["xfs_info", mountPoint], timeout: .seconds(60)).stdout
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("data") }),
                  let bsize = Self.keyValue("bsize", in: line), let blocks = Self.keyValue("blocks", in: line)
            else {
                throw DriverError.internal("xfs_info \(mountPoint) printed no data block count and size")
            }
            return blocks * bsize
        }
    }

    public func grow(device: String, type: FilesystemType, mountPoint: String?) async throws {
        switch (type, mountPoint) {
        case (.ext4, nil):
            // resize2fs insists on a freshly checked filesystem when it is not mounted. Exit
            // status 1 means e2fsck corrected something and the filesystem is now clean.
            let check = ["e2fsck", "-f", "-p", device]
            let checked = try await runner.runAllowingFailure(check, timeout: formatTimeout)
            guard checked.status == 0 || checked.status == 1 else {
                throw CommandError(command: check, reason: .exited(checked.status), stderr: checked.stderr)
            }
            try await runner.run(["resize2fs", device], timeout: formatTimeout)
        case (.ext4, _?):
            do {
                try await runner.run(["resize2fs", device], timeout: formatTimeout)
            } catch let error as CommandError where error.stderr.contains("Permission denied to resize") {
                // The kernel refuses EXT4_IOC_RESIZE_FS without CAP_SYS_RESOURCE.
                throw DriverError.failedPrecondition(
                    "online resize of ext4 on \(device) was refused by the kernel: csi-node needs CAP_SYS_RESOURCE (run it privileged); the filesystem grows offline at the next NodeStageVolume (\(error))")
            }
        case (.xfs, let mountPoint?):
            try await runner.run(["xfs_growfs", "-d", mountPoint], timeout: formatTimeout)
        case (.xfs, nil):
            throw DriverError.internal("XFS grows only while mounted")
        }
    }

    public func deviceSize(_ path: String) async throws -> Int64 {
        let output = try await runner.run(["blockdev", "--getsize64", path], timeout: .seconds(30)).stdout
        guard let size = Int64(trimmedSpaces(output.split(separator: "\n").first ?? "")) else {
            throw DriverError.internal("blockdev --getsize64 \(path) printed \"\(output)\"")
        }
        return size
    }

    public func statistics(_ path: String) async throws -> FilesystemStatistics {
        try await Blocking.run { () throws(DriverError) -> FilesystemStatistics in
            do throws(SystemError) {
                return try LocalFiles.statistics(path)
            } catch {
                if error.isMissing { throw DriverError.notFound("\(path) does not exist") }
                throw DriverError.internal(error.description)
            }
        }
    }

    /// The number after `label` on a `label  value` line (dumpe2fs style).
    static func field(_ label: String, in text: String) -> Int64? {
        text.split(separator: "\n").first(where: { $0.hasPrefix(label) })
            .flatMap { Int64(trimmedSpaces($0.dropFirst(label.count))) }
    }

    /// The number in `key=NUMBER` within `line` (xfs_info style).
    static func keyValue(_ key: String, in line: Substring) -> Int64? {
        for word in line.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix(key + "=") {
            return Int64(word.dropFirst(key.count + 1))
        }
        return nil
    }
}
