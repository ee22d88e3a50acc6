/// One VPC attachment of a bare-metal server (`/v2/bare-metals/{id}/vpc2` and `/vpcs`).
struct BareMetalVPCWire: WireResource {
    static let singularKey = "vpc"
    static let pluralKey = "vpcs"

    var id: String
    var macAddress: String?
    var ipAddress: String?
}
