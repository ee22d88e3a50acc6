import GRDB

extension APIHandler {
    private struct CreateBlock: Decodable {
        var region: String?
        var sizeGb: Int?
        var label: String?
        var blockType: String?
        var snapshotId: String?
    }

    private struct UpdateBlock: Decodable {
        var sizeGb: Int?
        var label: String?
    }

    private struct AttachBlock: Decodable {
        var instanceId: String?
        var live: Bool?
    }

    private struct DetachBlock: Decodable {
        var live: Bool?
    }

    /// Size limits per block type, in GB, as the real API has them.
    static let blockSizes: [String: ClosedRange<Int>] = ["high_perf": 10...10_000, "storage_opt": 40...40_000]

    func blocks(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(BlockRecord.self, key: "blocks", r, db)
        case ("POST", 0): return try createBlock(r, db)
        case ("GET", 1): return .json(Wrapped("block", try Store.require(BlockRecord.self, id: rest[0], db)))
        case ("PATCH", 1): return try updateBlock(rest[0], r, db)
        case ("DELETE", 1): return try deleteBlock(rest[0], db)
        case ("POST", 2) where rest[1] == "attach": return try attachBlock(rest[0], r, db)
        case ("POST", 2) where rest[1] == "detach": return try detachBlock(rest[0], r, db)
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        case (_, 2) where ["attach", "detach"].contains(rest[1]): throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createBlock(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateBlock.self)
        let region = try requireRegion(body.region)
        let blockType = body.blockType ?? "high_perf"
        guard let sizes = Self.blockSizes[blockType] else {
            throw APIFailure(.badRequest, "invalid block_type '\(blockType)' (high_perf or storage_opt)")
        }
        var snapshot: SnapshotRecord?
        if let snapshotID = body.snapshotId, !snapshotID.isEmpty {
            let found = try Store.require(SnapshotRecord.self, id: snapshotID, db)
            guard found.state == "COMPLETE" else {
                throw APIFailure(.locked, "snapshot \(snapshotID) is not complete yet")
            }
            snapshot = found
        }
        guard let size = body.sizeGb ?? snapshot?.sizeGB else { throw APIFailure(.badRequest, "missing field 'size_gb'") }
        guard sizes.contains(size) else {
            throw APIFailure(.badRequest, "size_gb must be between \(sizes.lowerBound) and \(sizes.upperBound) for \(blockType)")
        }
        if let snapshot, size < snapshot.sizeGB {
            throw APIFailure(.badRequest, "size_gb \(size) is smaller than the snapshot's \(snapshot.sizeGB)")
        }
        let id = Self.newID()
        let hex = id.replacingOccurrences(of: "-", with: "")
        let block = BlockRecord(
            id: id, dateCreated: Self.timestamp(), cost: Double(size) / 10, status: "pending", sizeGb: size,
            region: region, attachedToInstance: "", label: body.label ?? "",
            mountId: "\(region)-\(hex.prefix(14))", blockType: blockType, snapshotId: snapshot?.id ?? "")
        try Store.insert(block, readyAt: readyAt, db)
        try devices.create(block: id, sizeGB: size, fromSnapshot: snapshot?.id)
        logger.debug("block created", metadata: ["block.id": "\(id)", "block.size_gb": "\(size)"])
        return .json(202, Wrapped("block", block))
    }

    private func updateBlock(_ id: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(UpdateBlock.self)
        var block = try Store.require(BlockRecord.self, id: id, db)
        guard body.sizeGb != nil || body.label != nil else {
            throw APIFailure(.badRequest, "nothing to update: give size_gb or label")
        }
        if let label = body.label { block.label = label }
        if let size = body.sizeGb, size != block.sizeGb {
            guard block.status == "active" else { throw APIFailure(.locked, "block storage \(id) is not active yet") }
            guard size > block.sizeGb else {
                throw APIFailure(.badRequest, "size_gb can only grow: \(block.sizeGb) -> \(size)")
            }
            let sizes = Self.blockSizes[block.blockType] ?? 1...40_000
            guard sizes.contains(size) else {
                throw APIFailure(.badRequest, "size_gb must be between \(sizes.lowerBound) and \(sizes.upperBound) for \(block.blockType)")
            }
            try devices.resize(block: id, sizeGB: size, devicePath: try Store.devicePath(block: id, db))
            block.sizeGb = size
        }
        try Store.update(block, db)
        return .noContent()
    }

    private func deleteBlock(_ id: String, _ db: Database) throws -> APIResponse {
        let block = try Store.require(BlockRecord.self, id: id, db)
        guard block.attachedToInstance.isEmpty else {
            throw APIFailure(.conflict, "block storage \(id) is attached to instance \(block.attachedToInstance): detach it first")
        }
        try Store.delete(BlockRecord.self, id: id, db)
        try devices.delete(block: id)
        return .noContent()
    }

    private func attachBlock(_ id: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(AttachBlock.self)
        guard let instanceID = body.instanceId, !instanceID.isEmpty else {
            throw APIFailure(.badRequest, "missing field 'instance_id'")
        }
        var block = try Store.require(BlockRecord.self, id: id, db)
        let instance = try Store.require(InstanceRecord.self, id: instanceID, db)
        guard block.status == "active" else { throw APIFailure(.locked, "block storage \(id) is not active yet") }
        guard block.region == instance.region else {
            throw APIFailure(.badRequest, "block storage \(id) is in \(block.region), instance \(instanceID) in \(instance.region)")
        }
        if block.attachedToInstance == instanceID {
            throw APIFailure(.conflict, "block storage \(id) is already attached to instance \(instanceID)")
        }
        guard block.attachedToInstance.isEmpty else {
            throw APIFailure(.conflict, "block storage \(id) is attached to another instance (\(block.attachedToInstance))")
        }
        let attached = try Store.all(BlockRecord.self, db).filter { $0.attachedToInstance == instanceID }.count
        guard attached < configuration.attachLimit else {
            throw APIFailure(.conflict, "instance \(instanceID) already has the maximum of \(configuration.attachLimit) block storage volumes attached")
        }
        let path = try devices.attach(block: id, mountID: block.mountId)
        block.attachedToInstance = instanceID
        block.attachedToInstanceIp = instance.mainIp
        block.attachedToInstanceLabel = instance.label
        do {
            try Store.update(block, db)
            try Store.setDevicePath(path, block: id, db)
        } catch {
            try? devices.detach(block: id, mountID: block.mountId, devicePath: path)
            throw error
        }
        logger.debug("block attached", metadata: ["block.id": "\(id)", "instance.id": "\(instanceID)", "device": "\(path)"])
        return .noContent()
    }

    private func detachBlock(_ id: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        if !r.body.isEmpty { _ = try r.decode(DetachBlock.self) }
        var block = try Store.require(BlockRecord.self, id: id, db)
        guard !block.attachedToInstance.isEmpty else {
            throw APIFailure(.conflict, "Block storage volume is not currently attached to a server")
        }
        try detachDevice(&block, db)
        try Store.update(block, db)
        return .noContent()
    }

    /// Removes a block's device and marks it detached (the caller saves the block).
    func detachDevice(_ block: inout BlockRecord, _ db: Database) throws {
        let path = try Store.devicePath(block: block.id, db) ?? ""
        try devices.detach(block: block.id, mountID: block.mountId, devicePath: path)
        try Store.setDevicePath(nil, block: block.id, db)
        block.attachedToInstance = ""
        block.attachedToInstanceIp = ""
        block.attachedToInstanceLabel = ""
    }
}
