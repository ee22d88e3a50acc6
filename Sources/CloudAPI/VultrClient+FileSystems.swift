extension VultrClient: FileSystems {
    private struct Size: Encodable {
        var gb: Int
    }

    private struct CreateBody: Encodable {
        var region: String
        var label: String
        var storageSize: Size
        var diskType: String
    }

    private struct UpdateBody: Encodable {
        var storageSize: Size
    }

    public func createFileSystem(_ request: FileSystemCreateRequest) async throws -> FileSystem {
        try await exchangeBare(
            "vfs.create", .POST, "/v2/vfs",
            body: CreateBody(region: request.region, label: request.label, storageSize: Size(gb: request.sizeGB),
                             diskType: request.diskType),
            as: FileSystemWire.self
        ).fileSystem
    }

    public func fileSystem(id: String) async throws -> FileSystem {
        try await fetchBare("vfs.get", "/v2/vfs/\(segment(id, "vfs"))", as: FileSystemWire.self).fileSystem
    }

    public func fileSystems() async throws -> [FileSystem] {
        try await list("vfs.list", "/v2/vfs", as: FileSystemWire.self).map(\.fileSystem)
    }

    public func resizeFileSystem(id: String, sizeGB: Int) async throws -> FileSystem {
        try await exchangeBare(
            "vfs.resize", .PUT, "/v2/vfs/\(segment(id, "vfs"))", body: UpdateBody(storageSize: Size(gb: sizeGB)),
            as: FileSystemWire.self
        ).fileSystem
    }

    public func deleteFileSystem(id: String) async throws {
        try await perform("vfs.delete", .DELETE, "/v2/vfs/\(segment(id, "vfs"))")
    }

    public func fileSystemAttachments(id: String) async throws -> [FileSystemAttachment] {
        try await list("vfs.attachments.list", "/v2/vfs/\(segment(id, "vfs"))/attachments", as: FileSystemAttachmentWire.self)
            .map { $0.attachment(fileSystemID: id) }
    }

    public func fileSystemAttachment(id: String, instanceID: String) async throws -> FileSystemAttachment {
        try await fetchBare(
            "vfs.attachments.get", "/v2/vfs/\(segment(id, "vfs"))/attachments/\(segment(instanceID, "instance"))",
            as: FileSystemAttachmentWire.self
        ).attachment(fileSystemID: id)
    }

    public func attachFileSystem(id: String, instanceID: String) async throws -> FileSystemAttachment {
        try await exchangeBare(
            "vfs.attach", .PUT, "/v2/vfs/\(segment(id, "vfs"))/attachments/\(segment(instanceID, "instance"))",
            body: nil as Empty?, as: FileSystemAttachmentWire.self
        ).attachment(fileSystemID: id)
    }

    public func detachFileSystem(id: String, instanceID: String) async throws {
        try await perform(
            "vfs.detach", .DELETE, "/v2/vfs/\(segment(id, "vfs"))/attachments/\(segment(instanceID, "instance"))")
    }
}
