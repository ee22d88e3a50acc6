import Foundation

/// Where a resource lives in the API: group, version, kind, plural name and scope.
public struct ResourceDescriptor: Sendable, Hashable {
    /// API group; empty for the core (legacy) group.
    public var group: String
    public var version: String
    public var kind: String
    /// Lower-case plural used in URLs, e.g. `nodes`.
    public var plural: String
    public var isNamespaced: Bool

    public init(group: String, version: String, kind: String, plural: String, isNamespaced: Bool) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.isNamespaced = isNamespaced
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// URL path of the collection, or of one object when `name` is given.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if isNamespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(Self.escape(namespace))"
        }
        path += "/\(plural)"
        if let name {
            path += "/\(Self.escape(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    private static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? segment
    }
}

extension CharacterSet {
    fileprivate static let urlPathSegmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove("/")
        return set
    }()
}
