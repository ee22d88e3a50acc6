/// `v1.NodeStatus`.
public struct NodeStatus: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var addresses: [NodeAddress] {
        get { value("addresses") ?? [] }
        set { setValue("addresses", newValue) }
    }
    public var conditions: [NodeCondition] {
        get { value("conditions") ?? [] }
        set { setValue("conditions", newValue) }
    }
    public var capacity: [String: String] {
        get { value("capacity") ?? [:] }
        set { setValue("capacity", newValue) }
    }
    public var allocatable: [String: String] {
        get { value("allocatable") ?? [:] }
        set { setValue("allocatable", newValue) }
    }

    /// The condition of `type`, if present.
    public func condition(_ type: String) -> NodeCondition? {
        conditions.first { $0.type == type }
    }

    /// `true` when the `Ready` condition is `True`.
    public var isReady: Bool { condition("Ready")?.status == "True" }
}
