import CloudAPI
import CSIDriver

/// The StorageClass parameters a CreateVolume may carry, validated. Vultr's own names are
/// accepted so existing manifests keep working: `block_type` (`high_perf`|`storage_opt`),
/// `disk_type` and `storage_type` (`nvme`|`hdd`, or the block type names). Two parameters are
/// for the node and travel to it in the volume context, checked here first so a bad StorageClass
/// fails at CreateVolume rather than at mount time: `encrypted` (`true`|`false`: LUKS2 with the
/// passphrase from the node-stage secret) and `fsFormatOptions` (extra mkfs options). Keys under
/// `csi.storage.k8s.io/` (added by external-provisioner) are ignored; anything else is an error.
public struct VolumeParameters: Sendable, Equatable {
    public static let typeKeys = ["block_type", "disk_type", "storage_type"]
    /// Parameters the node service acts on, handed over in the volume context.
    public static let nodeKeys = [NodeService.encryptedKey, FormatOptions.contextKey]
    static let provisionerPrefix = "csi.storage.k8s.io/"

    public var blockType: BlockType
    /// What the node needs to know at NodeStageVolume (the CreateVolume response's volume context).
    public var volumeContext: [String: String] = [:]

    public init(blockType: BlockType = .highPerformance) {
        self.blockType = blockType
    }

    /// Collects every problem before failing, so one error message names them all.
    public init(parsing parameters: [String: String]) throws(DriverError) {
        var problems: [String] = []
        var chosen: [(key: String, type: BlockType)] = []
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix(Self.provisionerPrefix) { continue }
            if Self.nodeKeys.contains(key) {
                do {
                    try Self.checkNodeParameter(key, value)
                    volumeContext[key] = value
                } catch {
                    problems.append(error.message)
                }
                continue
            }
            guard Self.typeKeys.contains(key) else {
                problems.append("unknown parameter \"\(key)\" (known: \((Self.typeKeys + Self.nodeKeys).joined(separator: ", ")))")
                continue
            }
            guard let type = Self.blockType(named: value) else {
                problems.append("parameter \(key)=\"\(value)\" must be high_perf, storage_opt, nvme or hdd")
                continue
            }
            chosen.append((key, type))
        }
        if Set(chosen.map(\.type)).count > 1 {
            problems.append("parameters disagree on the disk type: "
                + chosen.map { "\($0.key)=\($0.type.rawValue)" }.joined(separator: ", "))
        }
        guard problems.isEmpty else { throw .invalidArgument(problems.joined(separator: "; ")) }
        blockType = chosen.first?.type ?? .highPerformance
    }

    /// The node's own checks, run early.
    static func checkNodeParameter(_ key: String, _ value: String) throws(DriverError) {
        if key == NodeService.encryptedKey {
            guard value == "true" || value == "false" else {
                throw .invalidArgument("parameter \(key)=\"\(value)\" must be true or false")
            }
        } else {
            _ = try FormatOptions.validate(value)
        }
    }

    static func blockType(named value: String) -> BlockType? {
        switch value.lowercased() {
        case "high_perf", "nvme": .highPerformance
        case "storage_opt", "hdd": .storageOptimized
        default: nil
        }
    }
}
