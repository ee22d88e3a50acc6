/// `v1.NodeSpec`.
public struct NodeSpec: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var providerID: String? { get { value("providerID") } set { setValue("providerID", newValue) } }
    public var podCIDR: String? { get { value("podCIDR") } set { setValue("podCIDR", newValue) } }
    public var podCIDRs: [String] {
        get { value("podCIDRs") ?? [] }
        set { setValue("podCIDRs", newValue.isEmpty ? nil : newValue) }
    }
    public var taints: [Taint] {
        get { value("taints") ?? [] }
        set { setValue("taints", newValue.isEmpty ? nil : newValue) }
    }
    public var unschedulable: Bool? {
        get { value("unschedulable") }
        set { setValue("unschedulable", newValue) }
    }
}
