import CloudAPI
import CSIDriver

/// The StorageClass parameters a CreateVolume may carry, validated. Vultr's own names are
/// accepted so existing manifests keep working: `block_type` (`high_perf`|`storage_opt`),
/// `disk_type` and `storage_type` (`nvme`|`hdd`, or the block type names). Keys under
/// `csi.storage.k8s.io/` (added by external-provisioner) are ignored; anything else is an error.
public struct VolumeParameters: Sendable, Equatable {
    public static let typeKeys = ["block_type", "disk_type", "storage_type"]
    static let provisionerPrefix = "csi.storage.k8s.io/"

    public var blockType: BlockType

    public init(blockType: BlockType = .highPerformance) {
        self.blockType = blockType
    }

    /// Collects every problem before failing, so one error message names them all.
    public init(parsing parameters: [String: String]) throws(DriverError) {
        var problems: [String] = []
        var chosen: [(key: String, type: BlockType)] = []
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix(Self.provisionerPrefix) { continue }
            guard Self.typeKeys.contains(key) else {
                problems.append("unknown parameter \"\(key)\" (known: \(Self.typeKeys.joined(separator: ", ")))")
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

    static func blockType(named value: String) -> BlockType? {
        switch value.lowercased() {
        case "high_perf", "nvme": .highPerformance
        case "storage_opt", "hdd": .storageOptimized
        default: nil
        }
    }
}
