/// A point-in-time copy of a volume.
public struct VolumeSnapshot: Hashable, Sendable, Identifiable {
    public var id: String
    public var volumeID: String
    public var description: String
    public var sizeGB: Int
    /// True once the API reports the snapshot `COMPLETE`.
    public var isReady: Bool
    public var createdAt: String

    public init(id: String, volumeID: String, description: String, sizeGB: Int, isReady: Bool, createdAt: String) {
        self.id = id
        self.volumeID = volumeID
        self.description = description
        self.sizeGB = sizeGB
        self.isReady = isReady
        self.createdAt = createdAt
    }
}
