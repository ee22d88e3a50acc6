import GRDB

extension APIHandler {
    private struct CreateInstance: Decodable {
        var region: String?
        var plan: String?
        var label: String?
        var hostname: String?
        var osId: Int?
        var tags: [String]?
    }

    func instances(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(InstanceRecord.self, key: "instances", r, db)
        case ("POST", 0): return try createInstance(r, db)
        case ("GET", 1): return .json(Wrapped("instance", try Store.require(InstanceRecord.self, id: rest[0], db)))
        case ("DELETE", 1): return try deleteInstance(rest[0], db)
        case ("POST", 2) where ["halt", "start", "reboot"].contains(rest[1]):
            var instance = try Store.require(InstanceRecord.self, id: rest[0], db)
            instance.powerStatus = rest[1] == "halt" ? "stopped" : "running"
            try Store.update(instance, db)
            return .noContent()
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        case (_, 2) where ["halt", "start", "reboot"].contains(rest[1]): throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createInstance(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateInstance.self)
        let region = try requireRegion(body.region)
        guard let plan = body.plan, !plan.isEmpty else { throw APIFailure(.badRequest, "missing field 'plan'") }
        let n = try Store.next("instance", db)
        let label = body.label ?? ""
        let instance = InstanceRecord(
            id: Self.newID(), label: label, hostname: body.hostname ?? (label.isEmpty ? "instance-\(n)" : label),
            region: region, plan: plan, os: "Debian 12 x64 (bookworm)", osId: body.osId ?? 2136, ram: 1024,
            disk: 25, vcpuCount: 1, mainIp: try publicPool.address(n), internalIp: try privatePool.address(n),
            v6MainIp: "", dateCreated: Self.timestamp(), status: "pending", powerStatus: "running",
            serverStatus: "installingbooting", tags: body.tags ?? [])
        try Store.insert(instance, readyAt: readyAt, db)
        return .json(202, Wrapped("instance", instance))
    }

    /// Deleting an instance detaches its blocks and VFS and drops the routes through it.
    private func deleteInstance(_ id: String, _ db: Database) throws -> APIResponse {
        _ = try Store.require(InstanceRecord.self, id: id, db)
        for var block in try Store.all(BlockRecord.self, db) where block.attachedToInstance == id {
            try detachDevice(&block, db)
            try Store.update(block, db)
        }
        for attachment in try Store.all(FileSystemAttachmentRecord.self, db) where attachment.targetId == id {
            try detach(attachment, db)
        }
        for route in try Store.all(RouteRecord.self, db) where route.instanceId == id {
            try Store.delete(RouteRecord.self, id: route.id, db)
        }
        try Store.delete(InstanceRecord.self, id: id, db)
        return .noContent()
    }
}
