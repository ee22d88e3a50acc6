/// Snapshots of block storage volumes. Methods throw ``CloudError``.
public protocol BlockSnapshots: Sendable {
    func createSnapshot(volumeID: String, description: String) async throws -> VolumeSnapshot
    func snapshot(id: String) async throws -> VolumeSnapshot
    /// Every snapshot, all pages.
    func snapshots() async throws -> [VolumeSnapshot]
    func deleteSnapshot(id: String) async throws
}
