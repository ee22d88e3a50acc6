import GRDB

extension APIHandler {
    private struct CreateSnapshot: Decodable {
        var blockId: String?
        var description: String?
    }

    private struct UpdateSnapshot: Decodable {
        var description: String?
    }

    func snapshots(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(SnapshotRecord.self, key: "snapshots", r, db)
        case ("POST", 0): return try createSnapshot(r, db)
        case ("GET", 1): return .json(try Store.require(SnapshotRecord.self, id: rest[0], db))
        case ("PUT", 1):
            let body = try r.decode(UpdateSnapshot.self)
            var snapshot = try Store.require(SnapshotRecord.self, id: rest[0], db)
            guard let description = body.description else { throw APIFailure(.badRequest, "missing field 'description'") }
            snapshot.description = description
            snapshot.updatedAt = Self.timestamp()
            try Store.update(snapshot, db)
            return .noContent()
        case ("DELETE", 1):
            _ = try Store.require(SnapshotRecord.self, id: rest[0], db)
            try Store.delete(SnapshotRecord.self, id: rest[0], db)
            try devices.deleteSnapshot(rest[0])
            return .noContent()
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createSnapshot(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateSnapshot.self)
        guard let blockID = body.blockId, !blockID.isEmpty else { throw APIFailure(.badRequest, "missing field 'block_id'") }
        let block = try Store.require(BlockRecord.self, id: blockID, db)
        guard block.status == "active" else { throw APIFailure(.locked, "block storage \(blockID) is not active yet") }
        let snapshot = SnapshotRecord(
            id: Self.newID(), description: body.description ?? "", blockId: blockID, state: "PENDING",
            addedAt: Self.timestamp(), sizeGB: block.sizeGb, region: block.region)
        try Store.insert(snapshot, readyAt: readyAt, db)
        try devices.snapshot(block: blockID, snapshot: snapshot.id)
        return .json(201, snapshot)
    }
}
