import Foundation

/// An entry of `status.conditions` on a node.
public struct NodeCondition: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, at date: Date = Date()) {
        self.json = [:]
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = date
        self.lastHeartbeatTime = date
    }

    public var type: String? { get { value("type") } set { setValue("type", newValue) } }
    /// `True`, `False` or `Unknown`.
    public var status: String? { get { value("status") } set { setValue("status", newValue) } }
    public var reason: String? { get { value("reason") } set { setValue("reason", newValue) } }
    public var message: String? { get { value("message") } set { setValue("message", newValue) } }
    public var lastTransitionTime: Date? {
        get { value("lastTransitionTime") }
        set { setValue("lastTransitionTime", newValue) }
    }
    public var lastHeartbeatTime: Date? {
        get { value("lastHeartbeatTime") }
        set { setValue("lastHeartbeatTime", newValue) }
    }
}
