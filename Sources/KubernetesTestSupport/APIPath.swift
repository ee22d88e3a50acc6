import Foundation

/// A request path as kube-apiserver routes it:
/// `/api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]` or the same under
/// `/apis/{group}/{version}`.
struct APIPath: Hashable, Sendable {
    /// `v1` or `group/version`.
    var groupVersion: String
    var resource: String
    var namespace: String?
    var name: String?
    var subresource: String?

    var collection: CollectionID { CollectionID(groupVersion: groupVersion, resource: resource) }

    init?(_ path: String) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        guard let root = segments.first else { return nil }
        segments.removeFirst()
        switch root {
        case "api":
            guard let version = segments.first else { return nil }
            groupVersion = version
            segments.removeFirst()
        case "apis":
            guard segments.count >= 2 else { return nil }
            groupVersion = segments[0] + "/" + segments[1]
            segments.removeFirst(2)
        default:
            return nil
        }
        if segments.count >= 3, segments[0] == "namespaces" {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        guard let resource = segments.first, segments.count <= 3 else { return nil }
        self.resource = resource
        name = segments.count > 1 ? segments[1] : nil
        subresource = segments.count > 2 ? segments[2] : nil
    }
}

/// One resource collection, e.g. `v1/nodes` or `coordination.k8s.io/v1/leases`.
struct CollectionID: Hashable, Sendable {
    var groupVersion: String
    var resource: String

    /// `Node` from `nodes` etc. (discovery's kinds, else the singular capitalised), for the
    /// `kind` of objects and lists.
    var kind: String {
        if let known = Discovery.kind(groupVersion: groupVersion, resource: resource) { return known }
        var name = resource.hasSuffix("s") ? String(resource.dropLast()) : resource
        if let first = name.first { name = first.uppercased() + name.dropFirst() }
        return name
    }

    /// Kinds whose `status` only changes through the status subresource.
    var hasStatusSubresource: Bool {
        ["nodes", "services", "namespaces", "pods", "persistentvolumes", "persistentvolumeclaims"].contains(resource)
    }
}
