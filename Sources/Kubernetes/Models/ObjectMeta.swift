import Foundation

/// `metadata` of every object.
public struct ObjectMeta: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var name: String? { get { value("name") } set { setValue("name", newValue) } }
    public var generateName: String? { get { value("generateName") } set { setValue("generateName", newValue) } }
    public var namespace: String? { get { value("namespace") } set { setValue("namespace", newValue) } }
    public var uid: String? { get { value("uid") } set { setValue("uid", newValue) } }
    public var resourceVersion: String? {
        get { value("resourceVersion") }
        set { setValue("resourceVersion", newValue) }
    }
    public var generation: Int? { get { value("generation") } set { setValue("generation", newValue) } }
    public var labels: [String: String] {
        get { value("labels") ?? [:] }
        set { setValue("labels", newValue.isEmpty && json["labels"] == nil ? nil : newValue) }
    }
    public var annotations: [String: String] {
        get { value("annotations") ?? [:] }
        set { setValue("annotations", newValue.isEmpty && json["annotations"] == nil ? nil : newValue) }
    }
    public var finalizers: [String] {
        get { value("finalizers") ?? [] }
        set { setValue("finalizers", newValue.isEmpty ? nil : newValue) }
    }
    public var ownerReferences: [OwnerReference] {
        get { value("ownerReferences") ?? [] }
        set { setValue("ownerReferences", newValue.isEmpty ? nil : newValue) }
    }
    public var creationTimestamp: Date? {
        get { value("creationTimestamp") }
        set { setValue("creationTimestamp", newValue) }
    }
    public var deletionTimestamp: Date? {
        get { value("deletionTimestamp") }
        set { setValue("deletionTimestamp", newValue) }
    }
}
