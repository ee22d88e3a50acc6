/// A file system attached to one instance: the instance mounts it with
/// `mount -t virtiofs <mountTag> <path>`.
public struct FileSystemAttachment: Hashable, Sendable {
    public var fileSystemID: String
    public var instanceID: String
    /// `ATTACHED` once usable (the API's own spelling is passed through).
    public var state: String
    public var mountTag: Int

    public init(fileSystemID: String, instanceID: String, state: String, mountTag: Int) {
        self.fileSystemID = fileSystemID
        self.instanceID = instanceID
        self.state = state
        self.mountTag = mountTag
    }
}
