/// An instance (virtual machine) in its wire form, with the fields govultr's `Instance` decodes.
struct InstanceRecord: StoredResource {
    static let kind = "instance"
    static let noun = "instance"

    var id: String
    var label: String
    var hostname: String
    var region: String
    var plan: String
    var os: String
    var osId: Int
    var ram: Int
    var disk: Int
    var vcpuCount: Int
    var mainIp: String
    var internalIp: String
    var v6MainIp: String
    var dateCreated: String
    /// `pending` → `active`; also `suspended`, `resizing`.
    var status: String
    /// `running` or `stopped`.
    var powerStatus: String
    /// `none`, `locked`, `installingbooting`, `ok`.
    var serverStatus: String
    var tags: [String]
    // Optional so that state written before these fields existed still loads.
    var netmaskV4: String?
    var v6Network: String?
    var v6NetworkSize: Int?
    /// The VPC (`network-v2-id` in the metadata document) of the instance's private interface.
    /// Vultr reports it through the metadata service and `/v2/instances/{id}/vpcs`; the local
    /// cloud keeps it with the instance.
    var vpcId: String?
    /// MAC address of the public interface; the private one is derived from it.
    var macAddress: String?

    mutating func becomeReady() {
        if status == "pending" {
            status = "active"
            serverStatus = "ok"
        }
    }
}
