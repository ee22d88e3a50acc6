/// A Vultr File System in its wire form (`/v2/vfs`). Its contents are a directory under the
/// cloud's VFS directory (``FileSystemContents``); `storage_used` is measured from it on read.
struct FileSystemRecord: PendingResource {
    static let kind = "vfs"
    static let noun = "vfs"

    struct Size: Codable, Sendable, Equatable {
        var bytes: Int64
        var gb: Int
    }

    struct Billing: Codable, Sendable, Equatable {
        var charges: Double
        var monthly: Double
    }

    var id: String
    var region: String
    var dateCreated: String
    /// `pending` → `active`.
    var status: String
    var label: String
    var tags: [String]
    /// `nvme`.
    var diskType: String
    var storageSize: Size
    var storageUsed: Size
    var billing: Billing

    /// Vultr's words for an unknown VFS id.
    static func notFound(_ id: String) -> APIFailure { APIFailure(.notFound, "Subscription ID Not Found.") }

    static func size(gb: Int) -> Size { Size(bytes: Int64(gb) << 30, gb: gb) }
}
