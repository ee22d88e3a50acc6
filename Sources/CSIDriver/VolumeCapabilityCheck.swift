import CSI

/// Which volume capabilities a block storage volume can meet: one attachment at a time (so only
/// single-node access modes), raw block or a filesystem the node service can make.
public enum VolumeCapabilityCheck {
    public static let filesystems: Set<String> = ["ext4", "xfs"]

    /// nil when `capability` is supported by a volume of `type`, else why not. A VFS is a shared
    /// filesystem: any access mode (several nodes at once included), mount access only, and no
    /// filesystem to choose (an `fs_type` is ignored: the cloud's filesystem is what is mounted).
    public static func problem(with capability: VolumeCapability, for type: StorageType) -> String? {
        switch type {
        case .block: return problem(with: capability)
        case .vfs: return vfsProblem(with: capability)
        }
    }

    private static func vfsProblem(with capability: VolumeCapability) -> String? {
        guard let mode = capability.accessMode?.mode else { return "volume capability has no access_mode" }
        switch mode {
        case .unknown, .unrecognized: return "access mode \(mode) is not a valid access mode"
        default: break
        }
        switch capability.accessType {
        case nil: return "volume capability has neither block nor mount access type"
        case .block: return "raw block access is not available on a VFS volume, which is a shared filesystem (use mount access)"
        case .mount: return nil
        }
    }

    /// Throws `INVALID_ARGUMENT` for a missing list or any capability a volume of `type` cannot meet.
    public static func require(_ capabilities: [VolumeCapability], for type: StorageType) throws(DriverError) {
        guard !capabilities.isEmpty else { throw .invalidArgument("volume_capabilities must not be empty") }
        let problems = capabilities.compactMap { problem(with: $0, for: type) }
        guard problems.isEmpty else { throw .invalidArgument(problems.joined(separator: "; ")) }
    }

    /// nil when `capability` is supported by a block volume, else why not.
    public static func problem(with capability: VolumeCapability) -> String? {
        guard let mode = capability.accessMode?.mode else { return "volume capability has no access_mode" }
        switch mode {
        case .singleNodeWriter, .singleNodeReaderOnly, .singleNodeSingleWriter, .singleNodeMultiWriter:
            break
        case .unknown, .unrecognized:
            return "access mode \(mode) is not a valid access mode"
        default:
            return "access mode \(mode) needs several nodes, but a block storage volume attaches to one instance (use a VFS StorageClass, storage_type: vfs, for ReadWriteMany)"
        }
        switch capability.accessType {
        case nil:
            return "volume capability has neither block nor mount access type"
        case .block:
            return nil
        case .mount(let mount):
            if !mount.fsType.isEmpty, !filesystems.contains(mount.fsType) {
                return "fs_type \"\(mount.fsType)\" is not supported (use \(filesystems.sorted().joined(separator: " or ")))"
            }
            return nil
        }
    }

    /// Throws `INVALID_ARGUMENT` for a missing list or any unsupported capability.
    public static func require(_ capabilities: [VolumeCapability]) throws(DriverError) {
        guard !capabilities.isEmpty else { throw .invalidArgument("volume_capabilities must not be empty") }
        let problems = capabilities.compactMap(problem(with:))
        guard problems.isEmpty else { throw .invalidArgument(problems.joined(separator: "; ")) }
    }
}
