/// A block snapshot in its wire form: `id, description, block_id, state, added_at, updated_at,
/// size` (bytes), answered bare (no envelope) by get and create.
struct SnapshotRecord: StoredResource {
    static let kind = "snapshot"
    static let noun = "snapshot"

    var id: String
    var description: String
    var blockId: String
    /// `PENDING` → `COMPLETE`.
    var state: String
    var addedAt: String
    var updatedAt: String
    /// Bytes: the source block's size when the snapshot was taken.
    var size: Int64
    var region: String

    /// The size in whole GB, what a block restored from it needs at least.
    var sizeGB: Int { Int((size + (1 << 30) - 1) >> 30) }

    init(id: String, description: String, blockId: String, state: String, addedAt: String, sizeGB: Int, region: String) {
        self.id = id
        self.description = description
        self.blockId = blockId
        self.state = state
        self.addedAt = addedAt
        updatedAt = addedAt
        size = Int64(sizeGB) << 30
        self.region = region
    }

    mutating func becomeReady() {
        if state == "PENDING" { state = "COMPLETE" }
    }

    private enum CodingKeys: String, CodingKey {
        case id, description, blockId, state, addedAt, updatedAt, size, region
        /// Rows written before the wire form followed Vultr's: `date_created`, and `size` in GB.
        case dateCreated
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        description = try c.decode(String.self, forKey: .description)
        blockId = try c.decode(String.self, forKey: .blockId)
        state = try c.decode(String.self, forKey: .state)
        region = try c.decode(String.self, forKey: .region)
        if let legacy = try c.decodeIfPresent(String.self, forKey: .dateCreated) {
            addedAt = legacy
            updatedAt = legacy
            size = try c.decode(Int64.self, forKey: .size) << 30
        } else {
            addedAt = try c.decode(String.self, forKey: .addedAt)
            updatedAt = try c.decode(String.self, forKey: .updatedAt)
            size = try c.decode(Int64.self, forKey: .size)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(description, forKey: .description)
        try c.encode(blockId, forKey: .blockId)
        try c.encode(state, forKey: .state)
        try c.encode(addedAt, forKey: .addedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(size, forKey: .size)
        try c.encode(region, forKey: .region)
    }
}
