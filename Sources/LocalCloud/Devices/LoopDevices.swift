import Foundation

/// Blocks as sparse files under `DATA/volumes`, attached as loop devices with a
/// `DEVICE_DIR/virtio-<mount_id>` symlink, like `/dev/disk/by-id` on a real instance.
struct LoopDevices: BlockDevices {
    let volumes: URL
    let snapshots: URL
    let deviceDirectory: URL

    init(dataDirectory: URL, deviceDirectory: URL) throws {
        volumes = dataDirectory.appendingPathComponent("volumes")
        snapshots = dataDirectory.appendingPathComponent("snapshots")
        self.deviceDirectory = deviceDirectory
        for dir in [volumes, snapshots, deviceDirectory] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }

    private func file(_ id: String) -> String { volumes.appendingPathComponent("\(id).img").path }
    private func snapshotFile(_ id: String) -> String { snapshots.appendingPathComponent("\(id).img").path }
    func link(_ mountID: String) -> String { deviceDirectory.appendingPathComponent("virtio-\(mountID)").path }

    func create(block id: String, sizeGB: Int, fromSnapshot snapshotID: String?) throws {
        if let snapshotID {
            try CommandRunner.run(["cp", "--sparse=always", snapshotFile(snapshotID), file(id)])
        }
        try CommandRunner.run(["truncate", "-s", "\(sizeGB)G", file(id)])
    }

    func delete(block id: String) throws {
        try? FileManager.default.removeItem(atPath: file(id))
    }

    func attach(block id: String, mountID: String) throws -> String {
        let loop = try CommandRunner.run(["losetup", "--find", "--show", file(id)])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            try? FileManager.default.removeItem(atPath: link(mountID))
            try FileManager.default.createSymbolicLink(atPath: link(mountID), withDestinationPath: loop)
        } catch {
            _ = try? CommandRunner.run(["losetup", "-d", loop])
            throw error
        }
        return loop
    }

    func detach(block id: String, mountID: String, devicePath: String) throws {
        try? FileManager.default.removeItem(atPath: link(mountID))
        if !devicePath.isEmpty {
            try CommandRunner.run(["losetup", "-d", devicePath])
        }
    }

    func resize(block id: String, sizeGB: Int, devicePath: String?) throws {
        try CommandRunner.run(["truncate", "-s", "\(sizeGB)G", file(id)])
        if let devicePath, !devicePath.isEmpty {
            try CommandRunner.run(["losetup", "-c", devicePath])
        }
    }

    func snapshot(block id: String, snapshot snapshotID: String) throws {
        try CommandRunner.run(["cp", "--sparse=always", file(id), snapshotFile(snapshotID)])
    }

    func ensureAttached(block id: String, mountID: String, devicePath: String) throws -> String {
        // `losetup -j FILE` lists the loop devices backed by the file, one per line.
        let backing = try CommandRunner.run(["losetup", "-j", file(id)])
        let loops = backing.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
        guard loops.contains(devicePath) else { return try attach(block: id, mountID: mountID) }
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: link(mountID))) != devicePath {
            try? FileManager.default.removeItem(atPath: link(mountID))
            try FileManager.default.createSymbolicLink(atPath: link(mountID), withDestinationPath: devicePath)
        }
        return devicePath
    }

    func deleteSnapshot(_ snapshotID: String) throws {
        try? FileManager.default.removeItem(atPath: snapshotFile(snapshotID))
    }
}
