/// A VFS attachment as the API sends it: bare from get and attach; a list is
/// `{"attachments": [...]}` (no pagination).
struct FileSystemAttachmentWire: WireResource {
    static let singularKey = "attachment"
    static let pluralKey = "attachments"

    var vfsId: String?
    var state: String?
    var targetId: String?
    var mountTag: Int?

    func attachment(fileSystemID: String) -> FileSystemAttachment {
        FileSystemAttachment(fileSystemID: vfsId ?? fileSystemID, instanceID: targetId ?? "", state: state ?? "",
                             mountTag: mountTag ?? 0)
    }
}
