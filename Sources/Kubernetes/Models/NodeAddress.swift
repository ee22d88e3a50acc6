/// An entry of `status.addresses` (`Hostname`, `InternalIP`, `ExternalIP`, …).
public struct NodeAddress: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public init(type: String, address: String) {
        self.json = ["type": .string(type), "address": .string(address)]
    }

    public var type: String? { get { value("type") } set { setValue("type", newValue) } }
    public var address: String? { get { value("address") } set { setValue("address", newValue) } }
}
