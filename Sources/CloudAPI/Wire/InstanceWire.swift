/// An instance as the API sends it.
struct InstanceWire: WireResource {
    static let singularKey = "instance"
    static let pluralKey = "instances"

    var id: String
    var label: String?
    var hostname: String?
    var region: String?
    var plan: String?
    var mainIp: String?
    var internalIp: String?
    var v6MainIp: String?
    var status: String?
    var powerStatus: String?

    var instance: Instance {
        func address(_ value: String?) -> String? {
            guard let value, !value.isEmpty, value != "0.0.0.0", value != "::" else { return nil }
            return value
        }
        return Instance(
            id: id, label: label ?? "", hostname: hostname ?? "", region: region ?? "", plan: plan ?? "",
            publicIPv4: address(mainIp), privateIPv4: address(internalIp), publicIPv6: address(v6MainIp),
            status: ProvisioningStatus(wire: status), power: PowerState(wire: powerStatus))
    }
}
