/// One page of a list response.
public struct ResourceList<Resource: KubernetesResource>: Sendable {
    public var items: [Resource]
    /// The collection's resourceVersion at the time of the list: where a watch should start.
    public var resourceVersion: String?
    /// Token for the next page; `nil` on the last page.
    public var continueToken: String?

    public init(items: [Resource], resourceVersion: String?, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }

    init(json: JSONObject) {
        let metadata = json["metadata"]?.objectValue ?? [:]
        self.items = (json["items"]?.arrayValue ?? []).compactMap { item in
            guard var resource = Resource(jsonValue: item) else { return nil }
            resource.setTypeMeta()
            return resource
        }
        self.resourceVersion = metadata["resourceVersion"]?.stringValue
        let token = metadata["continue"]?.stringValue
        self.continueToken = (token?.isEmpty ?? true) ? nil : token
    }
}
