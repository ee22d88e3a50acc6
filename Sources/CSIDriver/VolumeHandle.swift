/// What a CSI volume id says about the volume behind it, without asking the cloud.
///
/// A block volume's id is the cloud's block id (a UUID), as it always was and as vultr-csi has
/// it. A VFS volume's id is `vfs-` followed by the cloud's VFS id, so every call (including the
/// node's, which never sees the cloud) knows the kind from the id alone. vultr-csi gives VFS
/// volumes the bare VFS id, which no id can tell from a block's; such an id (a PV provisioned by
/// vultr-csi and adopted) reads as block here, and the controller looks it up as a VFS when the
/// cloud has no block by that id; the node learns the kind from the publish context.
public struct VolumeHandle: Hashable, Sendable, CustomStringConvertible {
    public static let vfsPrefix = "vfs-"

    public var type: StorageType
    /// The id the cloud knows the volume by.
    public var cloudID: String

    public init(type: StorageType, cloudID: String) {
        self.type = type
        self.cloudID = cloudID
    }

    /// Reads a CSI volume id.
    public init(volumeID: String) {
        if volumeID.hasPrefix(Self.vfsPrefix), volumeID.count > Self.vfsPrefix.count {
            self.init(type: .vfs, cloudID: String(volumeID.dropFirst(Self.vfsPrefix.count)))
        } else {
            self.init(type: .block, cloudID: volumeID)
        }
    }

    /// The CSI volume id.
    public var volumeID: String {
        switch type {
        case .block: cloudID
        case .vfs: Self.vfsPrefix + cloudID
        }
    }

    public var description: String { volumeID }
}
