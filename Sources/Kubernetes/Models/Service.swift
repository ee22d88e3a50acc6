/// `v1.Service`.
public struct Service: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Service", plural: "services", isNamespaced: true)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var spec: ServiceSpec { get { section("spec") } set { setSection("spec", newValue) } }
    public var status: ServiceStatus { get { section("status") } set { setSection("status", newValue) } }
}
