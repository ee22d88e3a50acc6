import Synchronization

/// The informer's local copy of a collection, keyed by `namespace/name`. Reads are cheap and never
/// touch the API server.
public final class ObjectCache<Resource: KubernetesResource>: Sendable {
    let storage = Mutex<[String: Resource]>([:])

    public init() {}

    public func get(_ key: String) -> Resource? {
        storage.withLock { $0[key] }
    }

    public func get(name: String, namespace: String? = nil) -> Resource? {
        get(ObjectKey(namespace: namespace, name: name).description)
    }

    /// Every cached object (in no particular order).
    public func list() -> [Resource] {
        storage.withLock { Array($0.values) }
    }

    /// Cached objects matching `predicate`.
    public func list(where predicate: (Resource) -> Bool) -> [Resource] {
        storage.withLock { $0.values.filter(predicate) }
    }

    public var count: Int { storage.withLock { $0.count } }

    public var keys: [String] { storage.withLock { Array($0.keys) } }
}
