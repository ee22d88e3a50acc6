import CSI
import CSIDriver
import Logging
import RPC
import SystemIO

extension NodeService {
    /// The mount type a cloud instance mounts a VFS with, its mount tag as the source.
    public static let virtiofs = "virtiofs"

    /// NodeStageVolume of a VFS: `mount -t virtiofs <tag> <staging>` on a cloud instance; with
    /// `--vfs-dir` (the local cloud), a bind mount of the directory the tag's link names. Staged
    /// already from the same source is success; another mount there is `FAILED_PRECONDITION`.
    func stageFileSystem(volumeID: String, mountTag: String, staging: String, options: [String]) async throws {
        var logger = self.logger
        logger[metadataKey: "volume.id"] = .string(volumeID)
        logger[metadataKey: "vfs.mount_tag"] = .string(mountTag)
        let source: String
        if let directory = configuration.vfsDirectory {
            let link = "\(directory)/tags/\(mountTag)"
            guard let resolved = try await Blocking.run({ LocalFiles.resolve(link) }) else {
                throw DriverError.failedPrecondition(
                    "VFS mount tag \(mountTag) of volume \(volumeID) is not attached here (no \(link)): publish the volume to this node first")
            }
            source = resolved
        } else {
            source = mountTag
        }
        if let mounted = try await mounter.mounts(at: staging).last {
            let same = configuration.vfsDirectory == nil
                ? mounted.fsType == Self.virtiofs && mounted.source == mountTag
                : source.hasSuffix(mounted.root) && mounted.root != "/"
            guard same else {
                throw DriverError.failedPrecondition(
                    "\(staging) already has \(mounted.source) (\(mounted.fsType)) mounted, not VFS volume \(volumeID) (mount tag \(mountTag))")
            }
            logger.debug("already staged", metadata: ["staging.path": .string(staging)])
            return
        }
        try await Blocking.run { try LocalFiles.makeDirectories(staging) }
        if configuration.vfsDirectory != nil {
            try await mounter.bindMount(source: source, target: staging, readOnly: false)
        } else {
            try await mounter.mount(source: mountTag, target: staging, fsType: Self.virtiofs, options: options)
        }
        logger.info("staged", metadata: ["staging.path": .string(staging), "vfs.source": .string(source)])
    }
}
