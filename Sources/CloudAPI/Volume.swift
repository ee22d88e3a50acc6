/// A block storage volume.
public struct Volume: Hashable, Sendable, Identifiable {
    public var id: String
    public var label: String
    public var region: String
    public var sizeGB: Int
    public var status: ProvisioningStatus
    /// The instance it is attached to, or nil.
    public var attachedInstanceID: String?
    /// Names the disk on the instance: `/dev/disk/by-id/virtio-<mountID>`.
    public var mountID: String
    public var blockType: BlockType?
    public var createdAt: String

    public init(
        id: String, label: String, region: String, sizeGB: Int, status: ProvisioningStatus,
        attachedInstanceID: String?, mountID: String, blockType: BlockType?, createdAt: String
    ) {
        self.id = id
        self.label = label
        self.region = region
        self.sizeGB = sizeGB
        self.status = status
        self.attachedInstanceID = attachedInstanceID
        self.mountID = mountID
        self.blockType = blockType
        self.createdAt = createdAt
    }

    /// Where the disk appears on the instance it is attached to.
    public var devicePath: String { "/dev/disk/by-id/virtio-\(mountID)" }
}
