/// What a new volume should be.
public struct VolumeCreateRequest: Hashable, Sendable {
    public var region: String
    public var sizeGB: Int
    public var label: String
    public var blockType: BlockType
    /// Restore from this snapshot.
    public var snapshotID: String?

    public init(region: String, sizeGB: Int, label: String, blockType: BlockType = .highPerformance, snapshotID: String? = nil) {
        self.region = region
        self.sizeGB = sizeGB
        self.label = label
        self.blockType = blockType
        self.snapshotID = snapshotID
    }
}
