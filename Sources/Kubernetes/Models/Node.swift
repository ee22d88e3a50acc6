/// `v1.Node`.
public struct Node: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Node", plural: "nodes", isNamespaced: false)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var spec: NodeSpec { get { section("spec") } set { setSection("spec", newValue) } }
    public var status: NodeStatus { get { section("status") } set { setSection("status", newValue) } }
}
