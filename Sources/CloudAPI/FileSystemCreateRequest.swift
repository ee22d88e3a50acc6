/// What a new file system should be.
public struct FileSystemCreateRequest: Hashable, Sendable {
    public var region: String
    public var sizeGB: Int
    public var label: String
    /// `nvme`, the only disk type VFS offers.
    public var diskType: String

    public init(region: String, sizeGB: Int, label: String, diskType: String = "nvme") {
        self.region = region
        self.sizeGB = sizeGB
        self.label = label
        self.diskType = diskType
    }
}
