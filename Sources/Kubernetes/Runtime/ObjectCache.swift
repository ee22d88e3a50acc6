import Foundation
import Synchronization

/// The informer's local copy of a collection, keyed by `namespace/name`.
///
/// Objects are held as their compact JSON encoding (about a third of the size of a decoded
/// tree) and decoded on read, which keeps thousands of Nodes within a small memory budget.
/// Reads never touch the API server.
public final class ObjectCache<Resource: KubernetesResource>: Sendable {
    /// One cached object: its encoding plus the resourceVersion used to tell changes apart.
    struct Entry: Sendable {
        var resourceVersion: String?
        var encoded: Data

        init(_ object: Resource) {
            resourceVersion = object.metadata.resourceVersion
            encoded = (try? JSONCoding.encodeCompact(object.jsonValue)) ?? Data()
        }

        var object: Resource? {
            guard let json = try? JSONCoding.decodeObject(encoded) else { return nil }
            return Resource(json: json)
        }
    }

    let storage = Mutex<[String: Entry]>([:])

    public init() {}

    public func get(_ key: String) -> Resource? {
        storage.withLock { $0[key] }?.object
    }

    public func get(name: String, namespace: String? = nil) -> Resource? {
        get(ObjectKey(namespace: namespace, name: name).description)
    }

    /// Every cached object (in no particular order). Decodes them all at once: for large
    /// collections prefer `forEach` or `list(where:)`, which hold one decoded object at a time.
    public func list() -> [Resource] {
        storage.withLock { Array($0.values) }.compactMap(\.object)
    }

    /// Cached objects matching `predicate`, decoding one object at a time.
    public func list(where predicate: (Resource) throws -> Bool) rethrows -> [Resource] {
        var matches: [Resource] = []
        try forEach { if try predicate($0) { matches.append($0) } }
        return matches
    }

    /// Visits every cached object, decoding one at a time (a snapshot taken at the call).
    public func forEach(_ body: (Resource) throws -> Void) rethrows {
        for entry in storage.withLock({ Array($0.values) }) {
            if let object = entry.object { try body(object) }
        }
    }

    public var count: Int { storage.withLock { $0.count } }

    public var keys: [String] { storage.withLock { Array($0.keys) } }
}
