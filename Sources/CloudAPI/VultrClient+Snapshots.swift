extension VultrClient {
    private struct CreateBody: Encodable {
        var blockId: String
        var description: String
    }

    public func createSnapshot(volumeID: String, description: String) async throws -> VolumeSnapshot {
        try await exchangeBare(
            "snapshots.create", .POST, "/v2/blocks/snapshots",
            body: CreateBody(blockId: try segment(volumeID, "volume"), description: description), as: SnapshotWire.self
        ).snapshot
    }

    public func snapshot(id: String) async throws -> VolumeSnapshot {
        try await fetchBare("snapshots.get", "/v2/blocks/snapshots/\(segment(id, "snapshot"))", as: SnapshotWire.self).snapshot
    }

    public func snapshots() async throws -> [VolumeSnapshot] {
        try await list("snapshots.list", "/v2/blocks/snapshots", as: SnapshotWire.self).map(\.snapshot)
    }

    public func deleteSnapshot(id: String) async throws {
        try await perform("snapshots.delete", .DELETE, "/v2/blocks/snapshots/\(segment(id, "snapshot"))")
    }
}
