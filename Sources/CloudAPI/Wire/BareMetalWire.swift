/// A bare-metal server as the API sends it (`/v2/bare-metals`).
struct BareMetalWire: WireResource {
    static let singularKey = "bare_metal"
    static let pluralKey = "bare_metals"

    var id: String
    var label: String?
    var region: String?
    var plan: String?
    var mainIp: String?
    var v6MainIp: String?
    var status: String?

    /// The server as a machine a node runs on: bare metal has no separate power state in the
    /// API, so it counts as running; `privateIPv4` is its first VPC address.
    func instance(vpcAddress: String?) -> Instance {
        func address(_ value: String?) -> String? {
            guard let value, !value.isEmpty, value != "0.0.0.0", value != "::" else { return nil }
            return value
        }
        return Instance(
            id: id, label: label ?? "", hostname: label ?? "", region: region ?? "", plan: plan ?? "",
            publicIPv4: address(mainIp), privateIPv4: address(vpcAddress), publicIPv6: address(v6MainIp),
            status: ProvisioningStatus(wire: status), power: .running)
    }
}
