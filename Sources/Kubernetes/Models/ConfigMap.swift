/// `v1.ConfigMap`.
public struct ConfigMap: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", isNamespaced: true)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var data: [String: String] { get { value("data") ?? [:] } set { setValue("data", newValue) } }
}
