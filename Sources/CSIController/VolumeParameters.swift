import CloudAPI
import CSIDriver

/// The StorageClass parameters a CreateVolume may carry, validated, read as vultr-csi reads them
/// so Vultr's own StorageClasses work unchanged:
///
/// - `storage_type`: `block` (a block storage disk, one node at a time) or `vfs` (a Vultr File
///   System, shared by any number of nodes: ReadWriteMany).
/// - `disk_type`: `nvme` or `hdd` (VFS: `nvme` only). Mooring also takes the block type names
///   here (`high_perf` = `nvme`, `storage_opt` = `hdd`).
/// - `block_type` (vultr-csi's legacy key, and Mooring's own): `high_perf` | `storage_opt`;
///   implies `storage_type: block` and means `disk_type` `nvme` | `hdd`.
///
/// Values are case-insensitive. Missing keys default to block storage on NVMe. Keys that
/// contradict each other are refused (vultr-csi lets `block_type` silently win).
///
/// Two parameters are for the node and travel to it in the volume context, checked here first
/// so a bad StorageClass fails at CreateVolume rather than at mount time: `encrypted`
/// (`true`|`false`: LUKS2 with the passphrase from the node-stage secret) and `fsFormatOptions`
/// (extra mkfs options); both are block-only. Keys under `csi.storage.k8s.io/` (added by
/// external-provisioner) are ignored; anything else is an error.
public struct VolumeParameters: Sendable, Equatable {
    public static let storageTypeKey = "storage_type"
    public static let diskTypeKey = "disk_type"
    public static let blockTypeKey = "block_type"
    public static let typeKeys = [blockTypeKey, diskTypeKey, storageTypeKey]
    /// Parameters the node service acts on, handed over in the volume context.
    public static let nodeKeys = [EncryptionParameter.contextKey, FormatOptions.contextKey]
    static let provisionerPrefix = "csi.storage.k8s.io/"

    public var storageType: StorageType
    /// The disk behind a block volume (for a VFS: always NVMe, `highPerformance`).
    public var blockType: BlockType
    /// What the node needs to know at NodeStageVolume (the CreateVolume response's volume context).
    public var volumeContext: [String: String] = [:]

    public init(storageType: StorageType = .block, blockType: BlockType = .highPerformance) {
        self.storageType = storageType
        self.blockType = blockType
    }

    /// Collects every problem before failing, so one error message names them all.
    public init(parsing parameters: [String: String]) throws(DriverError) {
        var problems: [String] = []
        var storage: [(key: String, type: StorageType)] = []
        var disks: [(key: String, type: BlockType)] = []
        var nodeKeysGiven: [String] = []
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix(Self.provisionerPrefix) { continue }
            if Self.nodeKeys.contains(key) {
                do {
                    try Self.checkNodeParameter(key, value)
                    volumeContext[key] = value
                    if key != EncryptionParameter.contextKey || value == "true" { nodeKeysGiven.append(key) }
                } catch {
                    problems.append(error.message)
                }
                continue
            }
            switch key {
            case Self.storageTypeKey:
                guard let type = StorageType(rawValue: value.lowercased()) else {
                    problems.append("parameter \(key)=\"\(value)\" must be block or vfs")
                    continue
                }
                storage.append((key, type))
            case Self.diskTypeKey:
                guard let type = Self.blockType(named: value) else {
                    problems.append("parameter \(key)=\"\(value)\" must be nvme or hdd (or high_perf, storage_opt)")
                    continue
                }
                disks.append((key, type))
            case Self.blockTypeKey:
                guard let type = Self.legacyBlockType(named: value) else {
                    problems.append("parameter \(key)=\"\(value)\" must be high_perf or storage_opt")
                    continue
                }
                storage.append((key, .block))
                disks.append((key, type))
            default:
                problems.append("unknown parameter \"\(key)\" (known: \((Self.typeKeys + Self.nodeKeys).joined(separator: ", ")))")
            }
        }
        if Set(storage.map(\.type)).count > 1 {
            problems.append("parameters disagree on the storage type: "
                + storage.map { "\($0.key) means \($0.type.rawValue)" }.joined(separator: ", "))
        }
        if Set(disks.map(\.type)).count > 1 {
            problems.append("parameters disagree on the disk type: "
                + disks.map { "\($0.key) means \(Self.diskName($0.type))" }.joined(separator: ", "))
        }
        storageType = storage.first?.type ?? .block
        blockType = disks.first?.type ?? .highPerformance
        if storageType == .vfs {
            if blockType != .highPerformance {
                problems.append("storage_type=vfs comes on nvme only, not \(Self.diskName(blockType))")
            }
            for key in nodeKeysGiven {
                problems.append("parameter \(key) applies to block storage only, not to storage_type=vfs")
            }
        }
        guard problems.isEmpty else { throw .invalidArgument(problems.joined(separator: "; ")) }
    }

    /// The node's own checks, run early.
    static func checkNodeParameter(_ key: String, _ value: String) throws(DriverError) {
        if key == EncryptionParameter.contextKey {
            guard value == "true" || value == "false" else {
                throw .invalidArgument("parameter \(key)=\"\(value)\" must be true or false")
            }
        } else {
            _ = try FormatOptions.validate(value)
        }
    }

    /// `disk_type`: Vultr's names, and the block type names Mooring took before.
    static func blockType(named value: String) -> BlockType? {
        switch value.lowercased() {
        case "nvme", "high_perf": .highPerformance
        case "hdd", "storage_opt": .storageOptimized
        default: nil
        }
    }

    /// `block_type`: the API's names only.
    static func legacyBlockType(named value: String) -> BlockType? {
        BlockType(rawValue: value.lowercased())
    }

    /// Vultr's StorageClass name of a disk type.
    static func diskName(_ type: BlockType) -> String {
        switch type {
        case .highPerformance: "nvme"
        case .storageOptimized: "hdd"
        }
    }
}
