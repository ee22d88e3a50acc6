/// `coordination.k8s.io/v1.Lease`.
public struct Lease: KubernetesResource {
    public static let descriptor = ResourceDescriptor(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", isNamespaced: true)

    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public var spec: LeaseSpec { get { section("spec") } set { setSection("spec", newValue) } }
}
