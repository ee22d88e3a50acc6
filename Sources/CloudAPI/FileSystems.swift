/// Vultr File System (VFS) volumes: shared NVMe file storage that several instances mount at once
/// (`mount -t virtiofs <mount_tag>`). What the CSI controller needs for ReadWriteMany volumes.
/// Methods throw ``CloudError``; a ``CloudError/Code/notFound`` means the file system (or the
/// attachment) is confirmed absent.
public protocol FileSystems: Sendable {
    func createFileSystem(_ request: FileSystemCreateRequest) async throws -> FileSystem
    func fileSystem(id: String) async throws -> FileSystem
    /// Every file system, all pages.
    func fileSystems() async throws -> [FileSystem]
    /// Grows a file system (`PUT /v2/vfs/{id}` with `storage_size.gb`); answers the new state.
    func resizeFileSystem(id: String, sizeGB: Int) async throws -> FileSystem
    func deleteFileSystem(id: String) async throws
    /// The instances it is attached to.
    func fileSystemAttachments(id: String) async throws -> [FileSystemAttachment]
    func fileSystemAttachment(id: String, instanceID: String) async throws -> FileSystemAttachment
    /// Attaches it to one more instance; answers the attachment with its mount tag.
    func attachFileSystem(id: String, instanceID: String) async throws -> FileSystemAttachment
    func detachFileSystem(id: String, instanceID: String) async throws
}

extension FileSystems {
    /// The file system with this label, if any (how a retried create finds what a lost answer made).
    public func fileSystem(labeled label: String) async throws -> FileSystem? {
        try await fileSystems().first { $0.label == label }
    }
}
