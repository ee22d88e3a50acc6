/// A VFS attached to one instance: `{vfs_id, state, target_id, mount_tag}`. Stored under the id
/// `<vfs_id>/<instance_id>`, which is not part of its wire form.
struct FileSystemAttachmentRecord: StoredResource {
    static let kind = "vfs-attachment"
    static let noun = "attachment"

    var vfsId: String
    /// `ATTACHED`.
    var state: String
    var targetId: String
    /// Unique across the cloud; the instance mounts `virtiofs <mount_tag>`.
    var mountTag: Int

    var id: String { Self.id(vfs: vfsId, instance: targetId) }

    static func id(vfs: String, instance: String) -> String { "\(vfs)/\(instance)" }

    static func notFound(_ id: String) -> APIFailure { APIFailure(.notFound, "Attachment Not Found") }

    enum CodingKeys: String, CodingKey {
        case vfsId, state, targetId, mountTag
    }
}
