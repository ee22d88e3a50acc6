import CSIDriver
import SystemIO

/// Finds the disk a volume was attached as. The controller puts the device's file name under the
/// device directory into the publish context (`PublishContext`: `device_name` = `virtio-<mount_id>`,
/// and `mount_id`); right after an attach the link may not exist yet, so the locator waits for
/// it, up to `wait`.
public struct DeviceLocator: Sendable {
    /// Publish-context key holding the device's file name under `directory`.
    public static let deviceKey = PublishContext.deviceNameKey
    /// Publish-context key holding the cloud's mount id (the device is `virtio-<mount_id>`).
    public static let mountIDKey = PublishContext.mountIDKey

    public let directory: String
    public var wait: Duration
    public var pollInterval: Duration = .milliseconds(100)

    public init(directory: String, wait: Duration = .seconds(30)) {
        self.directory = directory
        self.wait = wait
    }

    /// The device file name the publish context names, validated: a single path component.
    public static func deviceName(in context: [String: String], volumeID: String) throws(DriverError) -> String {
        let name: String
        if let device = context[deviceKey], !device.isEmpty {
            name = device
        } else if let mountID = context[mountIDKey], !mountID.isEmpty {
            name = PublishContext.deviceName(mountID: mountID)
        } else if let mountID = context[PublishContext.mountVolumeNameKey], !mountID.isEmpty {
            // vultr-csi's controller names a block's mount id only under its own key.
            name = PublishContext.deviceName(mountID: mountID)
        } else {
            throw DriverError.invalidArgument(
                "publish_context of volume \(volumeID) names no device (expected key \"\(deviceKey)\" or \"\(mountIDKey)\")")
        }
        let safe = name.utf8.count <= 255 && name != "." && name != ".."
            && PlainWord.check(name, lettersDigitsAnd: "_.-:")
        guard safe else {
            throw DriverError.invalidArgument("publish_context device \"\(PlainWord.printable(name))\" is not a plain device name")
        }
        return name
    }

    /// The device path and number for the volume, waiting up to `wait` (and never past the
    /// call's deadline) for it to appear. Throws `NOT_FOUND` naming the path and how long it
    /// waited when it never does.
    public func locate(_ context: [String: String], volumeID: String, mounter: any Mounter,
                       deadline: ContinuousClock.Instant?) async throws -> (path: String, device: DeviceNumber) {
        let name = try Self.deviceName(in: context, volumeID: volumeID)
        let path = "\(directory)/\(name)"
        let start = ContinuousClock.now
        var giveUp = start.advanced(by: wait)
        if let deadline { giveUp = min(giveUp, deadline.advanced(by: .milliseconds(-200))) }
        while true {
            if let device = try await mounter.blockDevice(at: path) { return (path, device) }
            let remaining = ContinuousClock.now.duration(to: giveUp)
            guard remaining > .zero else { break }
            try await Task.sleep(for: min(pollInterval, remaining))
        }
        let waited = start.duration(to: .now)
        throw DriverError.notFound(
            "device \(path) for volume \(volumeID) did not appear within \(secondsText(waited)) s; is the volume attached to this node?")
    }
}

/// `duration` as seconds with one decimal, e.g. "1.0".
func secondsText(_ duration: Duration) -> String {
    let (whole, fraction) = duration.components
    return "\(whole).\(fraction / 100_000_000_000_000_000)"
}
