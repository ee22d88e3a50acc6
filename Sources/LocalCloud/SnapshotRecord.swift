/// A block snapshot in its wire form.
struct SnapshotRecord: StoredResource {
    static let kind = "snapshot"
    static let noun = "snapshot"

    var id: String
    var dateCreated: String
    var description: String
    var blockId: String
    /// `PENDING` → `COMPLETE`.
    var state: String
    /// Size of the source block in GB.
    var size: Int
    var region: String

    mutating func becomeReady() {
        if state == "PENDING" { state = "COMPLETE" }
    }
}
