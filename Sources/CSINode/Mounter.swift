import SystemIO

/// Everything the node service asks of the kernel and the filesystem tools, so unprivileged unit
/// tests can stand in for them (see the fake in the tests). `LinuxMounter` is the real one.
public protocol Mounter: Sendable {
    /// The mounts whose mount point is exactly `path`, in mount order (the last one is visible).
    func mounts(at path: String) async throws -> [MountEntry]
    /// Every mount in this mount namespace.
    func allMounts() async throws -> [MountEntry]
    /// `mount -t fsType -o options source target`.
    func mount(source: String, target: String, fsType: String, options: [String]) async throws
    /// Bind-mounts `source` (a directory or a device) onto `target`, read-only when asked.
    func bindMount(source: String, target: String, readOnly: Bool) async throws
    /// Unmounts the topmost mount at `target`.
    func unmount(_ target: String) async throws

    /// The device number of the block device at `path` (following links), nil when `path` does
    /// not exist; throws when it exists but is not a block device.
    func blockDevice(at path: String) async throws -> DeviceNumber?
    /// What the device holds, as `blkid` sees it.
    func probe(device: String) async throws -> DeviceContent
    /// Creates a filesystem on a device known to be blank.
    func format(device: String, as type: FilesystemType, options: [String]) async throws
    /// The size in bytes of the filesystem on `device`, mounted at `mountPoint` or (ext4 only)
    /// not mounted when it is nil.
    func filesystemSize(device: String, type: FilesystemType, mountPoint: String?) async throws -> Int64
    /// Grows the filesystem to fill its device: online when mounted at `mountPoint`, offline
    /// (ext4 only, checked first) when `mountPoint` is nil.
    func grow(device: String, type: FilesystemType, mountPoint: String?) async throws
    /// The size in bytes of the block device at `path`.
    func deviceSize(_ path: String) async throws -> Int64
    /// Space and inode usage of the filesystem holding `path`.
    func statistics(_ path: String) async throws -> FilesystemStatistics
}
