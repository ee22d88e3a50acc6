import CSI

/// Which volume capabilities a block storage volume can meet: one attachment at a time (so only
/// single-node access modes), raw block or a filesystem the node service can make.
public enum VolumeCapabilityCheck {
    public static let filesystems: Set<String> = ["ext4", "xfs"]

    /// nil when `capability` is supported, else why not.
    public static func problem(with capability: VolumeCapability) -> String? {
        guard let mode = capability.accessMode?.mode else { return "volume capability has no access_mode" }
        switch mode {
        case .singleNodeWriter, .singleNodeReaderOnly, .singleNodeSingleWriter, .singleNodeMultiWriter:
            break
        case .unknown, .unrecognized:
            return "access mode \(mode) is not a valid access mode"
        default:
            return "access mode \(mode) needs several nodes, but a block storage volume attaches to one instance"
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
