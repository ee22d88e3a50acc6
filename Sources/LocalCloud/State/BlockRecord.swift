/// A block storage volume in its wire form: every field Vultr's API reports for a block.
struct BlockRecord: PendingResource {
    static let kind = "block"
    static let noun = "block storage"

    var id: String
    var dateCreated: String
    /// Monthly cost in USD.
    var cost: Double
    var pendingCharges: Double = 0
    /// `pending` → `active`.
    var status: String
    var sizeGb: Int
    var region: String
    /// Instance id, or empty when detached.
    var attachedToInstance: String
    /// The attached instance's `main_ip` and `label`, or empty when detached.
    var attachedToInstanceIp: String = ""
    var attachedToInstanceLabel: String = ""
    var label: String
    var mountId: String
    /// `high_perf` or `storage_opt`.
    var blockType: String
    /// The operating system a bootable block holds; 0: none (these never are).
    var osId: Int = 0
    /// The snapshot it was restored from, or empty.
    var snapshotId: String = ""
    var bootable: Bool = false

    init(id: String, dateCreated: String, cost: Double, status: String, sizeGb: Int, region: String,
         attachedToInstance: String, label: String, mountId: String, blockType: String, snapshotId: String = "") {
        self.id = id
        self.dateCreated = dateCreated
        self.cost = cost
        self.status = status
        self.sizeGb = sizeGb
        self.region = region
        self.attachedToInstance = attachedToInstance
        self.label = label
        self.mountId = mountId
        self.blockType = blockType
        self.snapshotId = snapshotId
    }

    private enum CodingKeys: String, CodingKey {
        case id, dateCreated, cost, pendingCharges, status, sizeGb, region, attachedToInstance, attachedToInstanceIp
        case attachedToInstanceLabel, label, mountId, blockType, osId, snapshotId, bootable
    }

    /// Rows kept by an older localcloud lack the later fields; they read as their defaults.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        dateCreated = try c.decode(String.self, forKey: .dateCreated)
        cost = try c.decode(Double.self, forKey: .cost)
        pendingCharges = try c.decodeIfPresent(Double.self, forKey: .pendingCharges) ?? 0
        status = try c.decode(String.self, forKey: .status)
        sizeGb = try c.decode(Int.self, forKey: .sizeGb)
        region = try c.decode(String.self, forKey: .region)
        attachedToInstance = try c.decode(String.self, forKey: .attachedToInstance)
        attachedToInstanceIp = try c.decodeIfPresent(String.self, forKey: .attachedToInstanceIp) ?? ""
        attachedToInstanceLabel = try c.decodeIfPresent(String.self, forKey: .attachedToInstanceLabel) ?? ""
        label = try c.decode(String.self, forKey: .label)
        mountId = try c.decode(String.self, forKey: .mountId)
        blockType = try c.decode(String.self, forKey: .blockType)
        osId = try c.decodeIfPresent(Int.self, forKey: .osId) ?? 0
        snapshotId = try c.decodeIfPresent(String.self, forKey: .snapshotId) ?? ""
        bootable = try c.decodeIfPresent(Bool.self, forKey: .bootable) ?? false
    }

    /// Vultr's words for an unknown block id.
    static func notFound(_ id: String) -> APIFailure { APIFailure(.notFound, "Invalid block storage ID") }
}
