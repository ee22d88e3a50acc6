/// A top-level API object (`Node`, `Service`, …): a `JSONBacked` value with a descriptor.
public protocol KubernetesResource: JSONBacked {
    static var descriptor: ResourceDescriptor { get }
}

extension KubernetesResource {
    /// A new object with `apiVersion`, `kind` and `metadata.name` (and namespace) set.
    public init(name: String, namespace: String? = nil) {
        self.init(json: [:])
        setTypeMeta()
        metadata.name = name
        if Self.descriptor.isNamespaced { metadata.namespace = namespace ?? "default" }
    }

    public var metadata: ObjectMeta {
        get { section("metadata") }
        set { setSection("metadata", newValue) }
    }

    public var apiVersion: String? { value("apiVersion") }
    public var kind: String? { value("kind") }

    /// Fills `apiVersion` and `kind` from the descriptor when absent (lists omit them per item).
    public mutating func setTypeMeta() {
        if json["apiVersion"] == nil { json["apiVersion"] = .string(Self.descriptor.apiVersion) }
        if json["kind"] == nil { json["kind"] = .string(Self.descriptor.kind) }
    }

    public var name: String { metadata.name ?? "" }
    public var namespace: String? { metadata.namespace }

    /// `namespace/name`, or `name` for cluster-scoped objects: the key caches and queues use.
    public var key: String { ObjectKey(namespace: metadata.namespace, name: name).description }

    /// A reference to this object for events and owner references.
    public var reference: ObjectReference {
        var reference = ObjectReference()
        reference.apiVersion = Self.descriptor.apiVersion
        reference.kind = Self.descriptor.kind
        reference.name = metadata.name
        reference.namespace = metadata.namespace
        reference.uid = metadata.uid
        reference.resourceVersion = metadata.resourceVersion
        return reference
    }
}
