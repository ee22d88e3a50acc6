/// A block snapshot as the API sends it: bare (no envelope) from get and create; a list is
/// `{"snapshots": [...], "meta": {...}}`. `size` is in bytes.
struct SnapshotWire: WireResource {
    static let singularKey = "snapshot"
    static let pluralKey = "snapshots"

    var id: String
    var addedAt: String?
    var description: String?
    var blockId: String?
    var state: String?
    var size: Int64?

    var snapshot: VolumeSnapshot {
        let bytes = size ?? 0
        return VolumeSnapshot(
            id: id, volumeID: blockId ?? "", description: description ?? "", sizeGB: Int((bytes + (1 << 30) - 1) >> 30),
            isReady: state == "COMPLETE", createdAt: addedAt ?? "")
    }
}
