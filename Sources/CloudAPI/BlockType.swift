/// The kind of disk behind a volume.
public enum BlockType: String, Hashable, Sendable, CaseIterable {
    /// NVMe (`high_perf`), 10–10,000 GB.
    case highPerformance = "high_perf"
    /// HDD (`storage_opt`), 40–40,000 GB.
    case storageOptimized = "storage_opt"

    /// Sizes the backend accepts for this type, in GB.
    public var sizeRange: ClosedRange<Int> {
        switch self {
        case .highPerformance: 10...10_000
        case .storageOptimized: 40...40_000
        }
    }
}
