/// What ControllerPublishVolume tells the node about the attached volume.
///
/// For a block volume: the cloud's mount id and the name under which the disk appears in the
/// node's device directory (`/dev/disk/by-id/virtio-<mount_id>` on a cloud instance). For a VFS:
/// the attachment's mount tag, which the node mounts with `mount -t virtiofs <tag>`. Both carry
/// vultr-csi's own two keys as well, `mount_vol_name` (mount id or mount tag) and `storage_type`
/// (`block`|`vfs`), so either driver's node plugin can read what the other's controller wrote.
public enum PublishContext {
    public static let mountIDKey = "mount_id"
    public static let deviceNameKey = "device_name"
    /// vultr-csi's key for the mount id (block) or the mount tag (VFS).
    public static let mountVolumeNameKey = "mount_vol_name"
    /// vultr-csi's key for the kind of volume: `block` or `vfs`.
    public static let storageTypeKey = "storage_type"

    public static func context(mountID: String) -> [String: String] {
        [mountIDKey: mountID, deviceNameKey: deviceName(mountID: mountID), mountVolumeNameKey: mountID,
         storageTypeKey: StorageType.block.rawValue]
    }

    public static func context(mountTag: Int) -> [String: String] {
        [mountVolumeNameKey: String(mountTag), storageTypeKey: StorageType.vfs.rawValue]
    }

    /// The device's file name in the device directory.
    public static func deviceName(mountID: String) -> String { "virtio-\(mountID)" }

    /// The kind of volume a publish context describes: its `storage_type`, else what the volume
    /// id says.
    public static func storageType(_ context: [String: String], volumeID: String) throws(DriverError) -> StorageType {
        guard let value = context[storageTypeKey], !value.isEmpty else { return VolumeHandle(volumeID: volumeID).type }
        guard let type = StorageType(rawValue: value.lowercased()) else {
            throw .invalidArgument("publish_context \(storageTypeKey)=\"\(value)\" is neither block nor vfs")
        }
        return type
    }

    /// The VFS mount tag of a publish context: a decimal number.
    public static func mountTag(_ context: [String: String], volumeID: String) throws(DriverError) -> String {
        guard let tag = context[mountVolumeNameKey], !tag.isEmpty else {
            throw .invalidArgument("publish_context has no \(mountVolumeNameKey) for VFS volume \(volumeID): publish it through the controller first")
        }
        guard tag.count <= 32, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .invalidArgument("publish_context \(mountVolumeNameKey)=\"\(tag.prefix(64))\" is not a mount tag")
        }
        return tag
    }
}
