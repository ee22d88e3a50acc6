import CloudAPI
import CSIDriver
import CSI
import Logging
import RPC

extension ControllerService {
    func createSnapshot(_ request: CreateSnapshotRequest, _ context: CallContext) async throws -> CreateSnapshotResponse {
        try await serve(context, ["volume.id": .string(request.sourceVolumeId), "snapshot.name": .string(request.name)]) { log in
            guard !request.name.isEmpty else { throw DriverError.invalidArgument("name must not be empty") }
            guard request.name.utf8.count <= Self.maximumNameBytes else {
                throw DriverError.invalidArgument("name is longer than \(Self.maximumNameBytes) bytes")
            }
            guard !request.sourceVolumeId.isEmpty else { throw DriverError.invalidArgument("source_volume_id must not be empty") }
            guard VolumeHandle(volumeID: request.sourceVolumeId).type == .block else {
                throw DriverError.invalidArgument("volume \(request.sourceVolumeId) is a VFS (shared file storage), which has no "
                    + "snapshots: the cloud snapshots block storage only")
            }
            let unknown = request.parameters.keys.filter { !$0.hasPrefix(VolumeParameters.provisionerPrefix) }.sorted()
            guard unknown.isEmpty else {
                throw DriverError.invalidArgument("unknown snapshot parameters: \(unknown.joined(separator: ", ")) (snapshots take none)")
            }
            return try await inFlight.run("snapshot/\(request.name)", operation: "CreateSnapshot") {
                if let existing = try await self.snapshot(named: request.name) {
                    guard existing.volumeID == request.sourceVolumeId else {
                        throw DriverError.alreadyExists("snapshot \"\(request.name)\" exists (\(existing.id)) of volume "
                            + "\(existing.volumeID), not \(request.sourceVolumeId)")
                    }
                    log.info("snapshot with this name exists", metadata: ["snapshot.id": .string(existing.id)])
                    return CreateSnapshotResponse(snapshot: csiSnapshot(existing))
                }
                let volume = try await existingVolume(request.sourceVolumeId)
                let made: VolumeSnapshot
                do {
                    made = try await createOrAdopt({ try await cloud.createSnapshot(volumeID: volume.id, description: request.name) },
                                                   lookUp: { try await self.snapshot(named: request.name) },
                                                   log: log, found: { ["snapshot.id": .string($0.id)] })
                } catch let error as CloudError where error.meansAbsent {
                    throw DriverError.notFound("volume \(request.sourceVolumeId) does not exist")
                }
                log.info("snapshot created", metadata: ["snapshot.id": .string(made.id), "snapshot.ready": "\(made.isReady)"])
                return CreateSnapshotResponse(snapshot: csiSnapshot(made))
            }
        }
    }

    func deleteSnapshot(_ request: DeleteSnapshotRequest, _ context: CallContext) async throws -> DeleteSnapshotResponse {
        try await serve(context, ["snapshot.id": .string(request.snapshotId)]) { log in
            guard !request.snapshotId.isEmpty else { throw DriverError.invalidArgument("snapshot_id must not be empty") }
            try await inFlight.run("snapshot-id/\(request.snapshotId)", operation: "DeleteSnapshot") {
                do {
                    try await cloud.deleteSnapshot(id: request.snapshotId)
                    log.info("snapshot deleted")
                } catch let error as CloudError where error.meansAbsent {
                    log.info("snapshot does not exist; nothing to delete")
                }
            }
            return DeleteSnapshotResponse()
        }
    }

    func listSnapshots(_ request: ListSnapshotsRequest, _ context: CallContext) async throws -> ListSnapshotsResponse {
        try await serve(context, ["volume.id": .string(request.sourceVolumeId.isEmpty ? "*" : request.sourceVolumeId),
                                  "snapshot.id": .string(request.snapshotId.isEmpty ? "*" : request.snapshotId)]) { _ in
            var snapshots: [VolumeSnapshot]
            if !request.snapshotId.isEmpty {
                do {
                    snapshots = [try await cloud.snapshot(id: request.snapshotId)]
                } catch let error as CloudError where error.meansAbsent {
                    snapshots = []
                }
            } else {
                snapshots = try await cloud.snapshots()
            }
            if !request.sourceVolumeId.isEmpty {
                snapshots = snapshots.filter { $0.volumeID == request.sourceVolumeId }
            }
            snapshots.sort { $0.id < $1.id }
            let page = try PageToken.page(snapshots, maxEntries: request.maxEntries, startingToken: request.startingToken)
            var response = ListSnapshotsResponse()
            response.nextToken = page.next
            response.entries = page.items.map { snapshot in
                var entry = ListSnapshotsResponse.Entry()
                entry.snapshot = csiSnapshot(snapshot)
                return entry
            }
            return response
        }
    }

    func getSnapshot(_ request: GetSnapshotRequest, _ context: CallContext) async throws -> GetSnapshotResponse {
        try await serve(context, ["snapshot.id": .string(request.snapshotId)]) { _ in
            guard !request.snapshotId.isEmpty else { throw DriverError.invalidArgument("snapshot_id must not be empty") }
            var response = GetSnapshotResponse()
            response.snapshot = csiSnapshot(try await existingSnapshot(request.snapshotId))
            return response
        }
    }

    // MARK: Shared

    /// The snapshot, or `NOT_FOUND`.
    func existingSnapshot(_ id: String) async throws -> VolumeSnapshot {
        do {
            return try await cloud.snapshot(id: id)
        } catch let error as CloudError where error.meansAbsent {
            throw DriverError.notFound("snapshot \(id) does not exist")
        }
    }

    /// The snapshot whose description is `name` (snapshot names live in descriptions).
    private func snapshot(named name: String) async throws -> VolumeSnapshot? {
        try await cloud.snapshots().first { $0.description == name }
    }

    /// Deletes a snapshot that served only as a clone's source; a failure is logged, not fatal.
    func deleteQuietly(snapshot id: String, _ log: Logger) async {
        do {
            try await cloud.deleteSnapshot(id: id)
        } catch {
            log.warning("could not delete the temporary clone snapshot; delete it by hand",
                        metadata: ["snapshot.id": .string(id), "error": .string("\(error)")])
        }
    }

    func csiSnapshot(_ snapshot: VolumeSnapshot) -> Snapshot {
        var result = Snapshot()
        result.snapshotId = snapshot.id
        result.sourceVolumeId = snapshot.volumeID
        result.sizeBytes = VolumeSize.bytes(snapshot.sizeGB)
        result.readyToUse = snapshot.isReady
        result.creationTime = Self.timestamp(snapshot.createdAt)
        return result
    }

    /// The API's ISO 8601 date (`2026-01-02T03:04:05+00:00`) as a protobuf timestamp.
    static func timestamp(_ text: String) -> Timestamp? {
        InternetDate.rfc3339(text).map { Timestamp(seconds: $0, nanos: 0) }
    }
}

extension CreateSnapshotResponse {
    init(snapshot: Snapshot) {
        self.init()
        self.snapshot = snapshot
    }
}
