/// A bare-metal server in its wire form, with the fields govultr's `BareMetalServer` decodes
/// (`mac_address` is a number there).
struct BareMetalRecord: PendingResource {
    static let kind = "bare_metal"
    static let noun = "bare metal"

    var id: String
    var os: String
    var osId: Int
    var appId: Int
    var imageId: String
    var ram: String
    var disk: String
    var cpuCount: Int
    var mainIp: String
    var netmaskV4: String
    var gatewayV4: String
    var v6Network: String
    var v6MainIp: String
    var v6NetworkSize: Int
    var macAddress: Int
    var region: String
    var plan: String
    var label: String
    var dateCreated: String
    /// `pending` → `active`.
    var status: String
    var features: [String]
    var tags: [String]
    var userScheme: String
    /// The server's address in its region's VPC 2.0 network (served by `/vpc2` and `/vpcs`;
    /// a local-cloud field in this form).
    var internalIp: String
    /// That VPC's id (local-cloud field in this form).
    var vpcId: String
}
