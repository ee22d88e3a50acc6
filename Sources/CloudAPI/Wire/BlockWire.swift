/// A block as the API sends it.
struct BlockWire: WireResource {
    static let singularKey = "block"
    static let pluralKey = "blocks"

    var id: String
    var dateCreated: String?
    var status: String?
    var sizeGb: Int?
    var region: String?
    var attachedToInstance: String?
    var label: String?
    var mountId: String?
    var blockType: String?

    var volume: Volume {
        Volume(
            id: id, label: label ?? "", region: region ?? "", sizeGB: sizeGb ?? 0, status: ProvisioningStatus(wire: status),
            attachedInstanceID: attachedToInstance.flatMap { $0.isEmpty ? nil : $0 }, mountID: mountId ?? "",
            blockType: blockType.flatMap(BlockType.init(rawValue:)), createdAt: dateCreated ?? "")
    }
}
