extension VultrClient {
    private struct CreateBody: Encodable {
        var region: String
        var sizeGb: Int
        var label: String
        var blockType: String
        var snapshotId: String?
    }

    private struct ResizeBody: Encodable {
        var sizeGb: Int
    }

    private struct AttachBody: Encodable {
        var instanceId: String
        var live: Bool
    }

    private struct DetachBody: Encodable {
        var live: Bool
    }

    public func createVolume(_ request: VolumeCreateRequest) async throws -> Volume {
        try await exchange(
            "blocks.create", .POST, "/v2/blocks",
            body: CreateBody(
                region: request.region, sizeGb: request.sizeGB, label: request.label,
                blockType: request.blockType.rawValue, snapshotId: request.snapshotID),
            as: BlockWire.self
        ).volume
    }

    public func volume(id: String) async throws -> Volume {
        try await fetch("blocks.get", "/v2/blocks/\(segment(id, "volume"))", as: BlockWire.self).volume
    }

    public func volumes() async throws -> [Volume] {
        try await list("blocks.list", "/v2/blocks", as: BlockWire.self).map(\.volume)
    }

    public func resizeVolume(id: String, sizeGB: Int) async throws {
        try await perform("blocks.resize", .PATCH, "/v2/blocks/\(segment(id, "volume"))", body: ResizeBody(sizeGb: sizeGB))
    }

    public func deleteVolume(id: String) async throws {
        try await perform("blocks.delete", .DELETE, "/v2/blocks/\(segment(id, "volume"))")
    }

    public func attachVolume(id: String, instanceID: String) async throws {
        try await perform(
            "blocks.attach", .POST, "/v2/blocks/\(segment(id, "volume"))/attach",
            body: AttachBody(instanceId: try segment(instanceID, "instance"), live: true))
    }

    public func detachVolume(id: String) async throws {
        try await perform("blocks.detach", .POST, "/v2/blocks/\(segment(id, "volume"))/detach", body: DetachBody(live: true))
    }
}
