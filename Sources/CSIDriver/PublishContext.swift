/// What ControllerPublishVolume tells the node about the attached disk: the cloud's mount id,
/// and the name under which the disk appears in the node's device directory
/// (`/dev/disk/by-id/virtio-<mount_id>` on a cloud instance).
public enum PublishContext {
    public static let mountIDKey = "mount_id"
    public static let deviceNameKey = "device_name"

    public static func context(mountID: String) -> [String: String] {
        [mountIDKey: mountID, deviceNameKey: deviceName(mountID: mountID)]
    }

    /// The device's file name in the device directory.
    public static func deviceName(mountID: String) -> String { "virtio-\(mountID)" }
}
