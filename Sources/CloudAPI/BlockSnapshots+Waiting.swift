extension BlockSnapshots {
    /// Waits until the snapshot is complete.
    @discardableResult
    public func waitUntilReady(snapshotID: String, timeout: Duration = .seconds(300)) async throws -> VolumeSnapshot {
        try await Poller.wait(
            for: "snapshot \(snapshotID) complete", path: "GET /v2/blocks/snapshots/\(snapshotID)", timeout: timeout,
            fetch: { try await snapshot(id: snapshotID) }, until: { $0.isReady })
    }
}
