/// A `v1.ObjectReference`, e.g. an event's `involvedObject`.
public struct ObjectReference: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var apiVersion: String? { get { value("apiVersion") } set { setValue("apiVersion", newValue) } }
    public var kind: String? { get { value("kind") } set { setValue("kind", newValue) } }
    public var namespace: String? { get { value("namespace") } set { setValue("namespace", newValue) } }
    public var name: String? { get { value("name") } set { setValue("name", newValue) } }
    public var uid: String? { get { value("uid") } set { setValue("uid", newValue) } }
    public var resourceVersion: String? {
        get { value("resourceVersion") }
        set { setValue("resourceVersion", newValue) }
    }
    public var fieldPath: String? { get { value("fieldPath") } set { setValue("fieldPath", newValue) } }
}
