import Foundation

/// An entry of `spec.taints`.
public struct Taint: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public init(key: String, value: String? = nil, effect: String) {
        self.json = [:]
        self.key = key
        self.value = value
        self.effect = effect
    }

    public var key: String? { get { value("key") } set { setValue("key", newValue) } }
    public var value: String? { get { value("value") } set { setValue("value", newValue) } }
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String? { get { value("effect") } set { setValue("effect", newValue) } }
    public var timeAdded: Date? { get { value("timeAdded") } set { setValue("timeAdded", newValue) } }
}
