import GRDB

/// The Vultr File System endpoints (`/v2/vfs`), as govultr and vultr-csi call them: objects are
/// answered bare (no envelope), a list as `{"vfs": [...], "meta": {...}}`, attachments as
/// `{"attachments": [...]}`; attach is `PUT .../attachments/{instance_id}`, detach `DELETE`.
extension APIHandler {
    private struct Size: Decodable {
        var gb: Int?
    }

    private struct CreateFileSystem: Decodable {
        var region: String?
        var label: String?
        var storageSize: Size?
        var diskType: String?
        var tags: [String]?
    }

    private struct UpdateFileSystem: Decodable {
        var label: String?
        var storageSize: Size?
    }

    private struct Attachments: Encodable {
        var attachments: [FileSystemAttachmentRecord]
    }

    /// Sizes the real API sells, in GB.
    static let fileSystemSizes = 10...10_000
    /// What a GB costs a month, for the `billing` figures.
    static let fileSystemMonthlyPerGB = 0.1

    func fileSystems(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try listFileSystems(r, db)
        case ("POST", 0): return try createFileSystem(r, db)
        case ("GET", 1): return .json(try measured(Store.require(FileSystemRecord.self, id: rest[0], db)))
        case ("PUT", 1): return try updateFileSystem(rest[0], r, db)
        case ("DELETE", 1): return try deleteFileSystem(rest[0], db)
        case ("GET", 2) where rest[1] == "attachments":
            _ = try Store.require(FileSystemRecord.self, id: rest[0], db)
            return .json(Attachments(attachments: try attachments(of: rest[0], db)))
        case ("GET", 3) where rest[1] == "attachments":
            _ = try Store.require(FileSystemRecord.self, id: rest[0], db)
            return .json(try Store.require(
                FileSystemAttachmentRecord.self, id: FileSystemAttachmentRecord.id(vfs: rest[0], instance: rest[2]), db))
        case ("PUT", 3) where rest[1] == "attachments": return try attachFileSystem(rest[0], instanceID: rest[2], db)
        case ("DELETE", 3) where rest[1] == "attachments": return try detachFileSystem(rest[0], instanceID: rest[2], db)
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        case (_, 2) where rest[1] == "attachments": throw Self.methodNotAllowed(r)
        case (_, 3) where rest[1] == "attachments": throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func listFileSystems(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let pagination = try Pagination(query: r.query)
        let page = try Store.page(FileSystemRecord.self, pagination, db)
        return .json(ListBody(key: "vfs", items: page.items.map(measured), total: page.total, next: page.next))
    }

    /// The record with `storage_used` measured from its contents now.
    private func measured(_ record: FileSystemRecord) -> FileSystemRecord {
        var record = record
        let used = fileSystemContents.usedBytes(record.id)
        record.storageUsed = .init(bytes: used, gb: Int((used + (1 << 30) - 1) >> 30))
        return record
    }

    private func createFileSystem(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateFileSystem.self)
        let region = try requireRegion(body.region)
        guard let size = body.storageSize?.gb else { throw APIFailure(.badRequest, "missing field 'storage_size.gb'") }
        guard Self.fileSystemSizes.contains(size) else {
            throw APIFailure(.badRequest, "storage_size.gb must be between \(Self.fileSystemSizes.lowerBound) and \(Self.fileSystemSizes.upperBound)")
        }
        let diskType = body.diskType?.lowercased() ?? "nvme"
        guard diskType == "nvme" else { throw APIFailure(.badRequest, "invalid disk_type '\(diskType)' (VFS comes on nvme only)") }
        let id = Self.newID()
        let record = FileSystemRecord(
            id: id, region: region, dateCreated: Self.timestamp(), status: "pending", label: body.label ?? "",
            tags: body.tags ?? [], diskType: diskType, storageSize: FileSystemRecord.size(gb: size),
            storageUsed: .init(bytes: 0, gb: 0),
            billing: .init(charges: 0, monthly: Double(size) * Self.fileSystemMonthlyPerGB))
        try Store.insert(record, readyAt: readyAt, db)
        try fileSystemContents.create(id)
        logger.debug("vfs created", metadata: ["vfs.id": "\(id)", "vfs.size_gb": "\(size)"])
        return .json(202, record)
    }

    private func updateFileSystem(_ id: String, _ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(UpdateFileSystem.self)
        var record = try Store.require(FileSystemRecord.self, id: id, db)
        guard body.storageSize?.gb != nil || body.label != nil else {
            throw APIFailure(.badRequest, "nothing to update: give storage_size.gb or label")
        }
        if let label = body.label, !label.isEmpty { record.label = label }
        if let size = body.storageSize?.gb, size != record.storageSize.gb {
            guard record.status == "active" else { throw APIFailure(.locked, "vfs \(id) is not active yet") }
            guard size > record.storageSize.gb else {
                throw APIFailure(.badRequest, "storage_size.gb can only grow: \(record.storageSize.gb) -> \(size)")
            }
            guard Self.fileSystemSizes.contains(size) else {
                throw APIFailure(.badRequest, "storage_size.gb must be between \(Self.fileSystemSizes.lowerBound) and \(Self.fileSystemSizes.upperBound)")
            }
            record.storageSize = FileSystemRecord.size(gb: size)
            record.billing.monthly = Double(size) * Self.fileSystemMonthlyPerGB
        }
        try Store.update(record, db)
        return .json(measured(record))
    }

    private func deleteFileSystem(_ id: String, _ db: Database) throws -> APIResponse {
        _ = try Store.require(FileSystemRecord.self, id: id, db)
        guard try attachments(of: id, db).isEmpty else {
            throw APIFailure(.conflict, "Can not delete this subscription until it is detatched from all machines")
        }
        try Store.delete(FileSystemRecord.self, id: id, db)
        try fileSystemContents.delete(id)
        return .noContent()
    }

    private func attachFileSystem(_ id: String, instanceID: String, _ db: Database) throws -> APIResponse {
        let record = try Store.require(FileSystemRecord.self, id: id, db)
        let instance = try Store.require(InstanceRecord.self, id: instanceID, db)
        if let existing = try Store.find(FileSystemAttachmentRecord.self, id: FileSystemAttachmentRecord.id(vfs: id, instance: instanceID), db) {
            return .json(existing)
        }
        guard record.status == "active" else { throw APIFailure(.locked, "vfs \(id) is not active yet") }
        guard record.region == instance.region.lowercased() else {
            throw APIFailure(.badRequest, "vfs \(id) is in \(record.region), instance \(instanceID) in \(instance.region)")
        }
        let attachment = FileSystemAttachmentRecord(
            vfsId: id, state: "ATTACHED", targetId: instanceID, mountTag: try Store.next("vfs-mount-tag", db))
        try Store.insert(attachment, readyAt: nil, db)
        try fileSystemContents.link(tag: attachment.mountTag, to: id)
        logger.debug("vfs attached", metadata: ["vfs.id": "\(id)", "instance.id": "\(instanceID)", "vfs.mount_tag": "\(attachment.mountTag)"])
        return .json(attachment)
    }

    private func detachFileSystem(_ id: String, instanceID: String, _ db: Database) throws -> APIResponse {
        _ = try Store.require(FileSystemRecord.self, id: id, db)
        let attachment = try Store.require(
            FileSystemAttachmentRecord.self, id: FileSystemAttachmentRecord.id(vfs: id, instance: instanceID), db)
        try detach(attachment, db)
        return .noContent()
    }

    func detach(_ attachment: FileSystemAttachmentRecord, _ db: Database) throws {
        try Store.delete(FileSystemAttachmentRecord.self, id: attachment.id, db)
        fileSystemContents.unlink(tag: attachment.mountTag)
    }

    /// The file system's attachments, oldest first.
    func attachments(of id: String, _ db: Database) throws -> [FileSystemAttachmentRecord] {
        try Store.all(FileSystemAttachmentRecord.self, db).filter { $0.vfsId == id }
    }
}
