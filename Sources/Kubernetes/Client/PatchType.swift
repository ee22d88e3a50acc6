/// How the API server interprets a PATCH body.
public enum PatchType: String, Sendable {
    /// RFC 7386 JSON merge patch: objects merge, `null` deletes, lists are replaced.
    case merge = "application/merge-patch+json"
    /// Kubernetes strategic merge patch: like `merge`, but lists with a merge key (conditions,
    /// addresses, ports, finalizers…) merge element by element.
    case strategicMerge = "application/strategic-merge-patch+json"
    /// RFC 6902 JSON patch (a list of operations).
    case json = "application/json-patch+json"

    public var contentType: String { rawValue }
}
