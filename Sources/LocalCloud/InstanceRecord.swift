/// An instance (virtual machine) in its wire form.
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

    mutating func becomeReady() {
        if status == "pending" {
            status = "active"
            serverStatus = "ok"
        }
    }
}
