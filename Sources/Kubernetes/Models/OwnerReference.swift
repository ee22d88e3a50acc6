/// An entry of `metadata.ownerReferences`.
public struct OwnerReference: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var apiVersion: String? { get { value("apiVersion") } set { setValue("apiVersion", newValue) } }
    public var kind: String? { get { value("kind") } set { setValue("kind", newValue) } }
    public var name: String? { get { value("name") } set { setValue("name", newValue) } }
    public var uid: String? { get { value("uid") } set { setValue("uid", newValue) } }
    public var controller: Bool? { get { value("controller") } set { setValue("controller", newValue) } }
}
