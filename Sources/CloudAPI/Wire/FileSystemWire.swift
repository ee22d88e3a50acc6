/// A VFS as the API sends it: bare (no `{"vfs": …}` envelope) from create, get and update; a list
/// is `{"vfs": [...], "meta": {...}}`.
struct FileSystemWire: WireResource {
    static let singularKey = "vfs"
    static let pluralKey = "vfs"

    struct Size: Decodable, Sendable {
        var bytes: Int64?
        var gb: Int?
    }

    var id: String
    var region: String?
    var dateCreated: String?
    var status: String?
    var label: String?
    var diskType: String?
    var storageSize: Size?
    var storageUsed: Size?

    var fileSystem: FileSystem {
        FileSystem(
            id: id, label: label ?? "", region: region ?? "", sizeGB: storageSize?.gb ?? 0,
            usedBytes: storageUsed?.bytes ?? Int64(storageUsed?.gb ?? 0) << 30, status: ProvisioningStatus(wire: status),
            diskType: diskType ?? "", createdAt: dateCreated ?? "")
    }
}
