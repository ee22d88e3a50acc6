/// A block snapshot as the API sends it.
struct SnapshotWire: WireResource {
    static let singularKey = "snapshot"
    static let pluralKey = "snapshots"

    var id: String
    var dateCreated: String?
    var description: String?
    var blockId: String?
    var state: String?
    var size: Int?

    var snapshot: VolumeSnapshot {
        VolumeSnapshot(
            id: id, volumeID: blockId ?? "", description: description ?? "", sizeGB: size ?? 0,
            isReady: state == "COMPLETE", createdAt: dateCreated ?? "")
    }
}
