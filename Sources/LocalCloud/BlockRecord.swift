/// A block storage volume in its wire form.
struct BlockRecord: StoredResource {
    static let kind = "block"
    static let noun = "block storage"

    var id: String
    var dateCreated: String
    var cost: Double
    /// `pending` → `active`.
    var status: String
    var sizeGb: Int
    var region: String
    /// Instance id, or empty when detached.
    var attachedToInstance: String
    var label: String
    var mountId: String
    /// `high_perf` or `storage_opt`.
    var blockType: String

    mutating func becomeReady() {
        if status == "pending" { status = "active" }
    }

    /// Vultr's words for an unknown block id.
    static func notFound(_ id: String) -> APIFailure { APIFailure(.notFound, "Invalid block storage ID") }
}
