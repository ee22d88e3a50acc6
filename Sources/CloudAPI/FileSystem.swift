/// A Vultr File System: a shared filesystem of `sizeGB`, attached to any number of instances in
/// its region.
public struct FileSystem: Hashable, Sendable, Identifiable {
    /// Sizes the API sells, in GB.
    public static let sizeRange: ClosedRange<Int> = 10...10_000

    public var id: String
    public var label: String
    public var region: String
    public var sizeGB: Int
    /// Bytes stored, as the cloud last measured them.
    public var usedBytes: Int64
    public var status: ProvisioningStatus
    /// `nvme` (the only kind VFS offers).
    public var diskType: String
    public var createdAt: String

    public init(id: String, label: String, region: String, sizeGB: Int, usedBytes: Int64, status: ProvisioningStatus,
                diskType: String, createdAt: String) {
        self.id = id
        self.label = label
        self.region = region
        self.sizeGB = sizeGB
        self.usedBytes = usedBytes
        self.status = status
        self.diskType = diskType
        self.createdAt = createdAt
    }
}
