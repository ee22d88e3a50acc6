import Foundation
import Kubernetes
import Synchronization

/// The stand-in API server's state: objects per collection, one global resourceVersion counter
/// (as etcd has), an event history for watches, and the open watches.
final class APIStore: Sendable {
    struct HistoryEntry: Sendable {
        var resourceVersion: Int
        var collection: CollectionID
        var type: String
        var object: JSONObject
    }

    struct Watcher: Sendable {
        var collection: CollectionID
        var namespace: String?
        var labels: LabelSelector
        var fieldName: String?
        var continuation: AsyncStream<WatchMessage>.Continuation
    }

    struct State: Sendable {
        var resourceVersion = 1000
        var objects: [CollectionID: [String: JSONObject]] = [:]
        var history: [HistoryEntry] = []
        /// Watches and continue tokens from at or before this version get 410 Gone.
        var compactedThrough = 0
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 1
        var maximumHistory = 200_000
    }

    let state = Mutex(State())

    // MARK: Reads

    func get(_ path: APIPath) -> APIResponse {
        state.withLock { state in
            guard let object = state.objects[path.collection]?[Self.key(path.namespace, path.name ?? "")] else {
                return .notFound(path)
            }
            return APIResponse(status: 200, body: .object(object))
        }
    }

    func list(_ path: APIPath, query: [String: String]) -> APIResponse {
        state.withLock { state in
            let labels = LabelSelector(query["labelSelector"])
            let fieldName = Self.fieldName(query["fieldSelector"])
            var snapshot = state.resourceVersion
            var after: String?
            if let token = query["continue"], !token.isEmpty {
                guard let decoded = Data(base64Encoded: token).flatMap({ String(data: $0, encoding: .utf8) }),
                    let bar = decoded.firstIndex(of: "|"), let version = Int(decoded[..<bar])
                else { return .failure(400, reason: "BadRequest", message: "invalid continue token") }
                if version < state.compactedThrough {
                    return .failure(
                        410, reason: "Expired",
                        message: "The provided continue parameter is too old to display a consistent list result.")
                }
                snapshot = version
                after = String(decoded[decoded.index(after: bar)...])
            }
            let collection = state.objects[path.collection] ?? [:]
            var keys = collection.keys.sorted()
            if let after { keys = keys.filter { $0 > after } }
            var items: [JSONValue] = []
            var continueToken: String?
            let limit = query["limit"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
            for key in keys {
                let object = collection[key]!
                guard Self.matches(object, namespace: path.namespace, labels: labels, fieldName: fieldName) else { continue }
                if let limit, items.count == limit {
                    let last = Self.key(Self.meta(items.last!.objectValue!, "namespace"), Self.meta(items.last!.objectValue!, "name") ?? "")
                    continueToken = Data("\(snapshot)|\(last)".utf8).base64EncodedString()
                    break
                }
                items.append(.object(object))
            }
            var metadata: JSONObject = ["resourceVersion": .string(String(snapshot))]
            if let continueToken { metadata["continue"] = .string(continueToken) }
            return APIResponse(
                status: 200,
                body: [
                    "kind": .string(path.collection.kind + "List"), "apiVersion": .string(path.groupVersion),
                    "metadata": .object(metadata), "items": .array(items),
                ])
        }
    }

    // MARK: Writes

    func create(_ path: APIPath, body: JSONObject) -> APIResponse {
        state.withLock { state in
            var object = body
            var metadata = object["metadata"]?.objectValue ?? [:]
            if let namespace = metadata["namespace"]?.stringValue, let pathNamespace = path.namespace,
                namespace != pathNamespace
            {
                return .failure(
                    400, reason: "BadRequest", message: "the namespace of the object does not match the request")
            }
            if let namespace = path.namespace { metadata["namespace"] = .string(namespace) }
            var name = metadata["name"]?.stringValue ?? ""
            if name.isEmpty, let prefix = metadata["generateName"]?.stringValue {
                name = prefix + String(UUID().uuidString.lowercased().prefix(5))
            }
            guard !name.isEmpty else {
                return .failure(422, reason: "Invalid", message: "metadata.name: Required value")
            }
            let key = Self.key(path.namespace, name)
            if state.objects[path.collection]?[key] != nil {
                return .failure(
                    409, reason: "AlreadyExists", message: "\(path.resource) \"\(name)\" already exists")
            }
            state.resourceVersion += 1
            metadata["name"] = .string(name)
            metadata["uid"] = .string(UUID().uuidString.lowercased())
            metadata["resourceVersion"] = .string(String(state.resourceVersion))
            metadata["creationTimestamp"] = .string(KubernetesTime.format(Date()))
            metadata["generation"] = 1
            metadata.removeValue(forKey: "deletionTimestamp")
            object["metadata"] = .object(metadata)
            object["kind"] = object["kind"] ?? .string(path.collection.kind)
            object["apiVersion"] = object["apiVersion"] ?? .string(path.groupVersion)
            Self.foldStringData(&object, path)
            state.objects[path.collection, default: [:]][key] = object
            Self.record(&state, path.collection, "ADDED", object)
            return APIResponse(status: 201, body: .object(object))
        }
    }

    /// PUT, or the commit step of a PATCH once the patch has been applied to a copy.
    func update(_ path: APIPath, body: JSONObject) -> APIResponse {
        state.withLock { state in Self.update(&state, path, candidate: body) }
    }

    func patch(_ path: APIPath, contentType: String, patch: JSONValue) -> APIResponse {
        state.withLock { state in
            let key = Self.key(path.namespace, path.name ?? "")
            guard let current = state.objects[path.collection]?[key] else { return .notFound(path) }
            let patched: JSONValue
            switch contentType.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            case "application/merge-patch+json":
                patched = JSONValue.object(current).applyingMergePatch(patch)
            case "application/strategic-merge-patch+json":
                patched = StrategicMergePatch.apply(patch, to: .object(current))
            case "application/json-patch+json":
                do {
                    patched = try JSONPatch.apply(patch, to: .object(current))
                } catch {
                    return .failure(422, reason: "Invalid", message: "json patch: \(error)")
                }
            default:
                return .failure(
                    415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format")
            }
            guard var candidate = patched.objectValue else {
                return .failure(422, reason: "Invalid", message: "patch result is not an object")
            }
            // A patch that does not set a resourceVersion applies to whatever is current.
            if patched["metadata"]?["resourceVersion"] == current["metadata"]?["resourceVersion"]
                || patched["metadata"]?["resourceVersion"] == nil
            {
                var metadata = candidate["metadata"]?.objectValue ?? [:]
                metadata["resourceVersion"] = current["metadata"]?["resourceVersion"]
                candidate["metadata"] = .object(metadata)
            }
            return Self.update(&state, path, candidate: candidate)
        }
    }

    func delete(_ path: APIPath, options: JSONObject) -> APIResponse {
        state.withLock { state in
            let key = Self.key(path.namespace, path.name ?? "")
            guard var object = state.objects[path.collection]?[key] else { return .notFound(path) }
            var metadata = object["metadata"]?.objectValue ?? [:]
            if let uid = options["preconditions"]?["uid"]?.stringValue, uid != metadata["uid"]?.stringValue {
                return .failure(409, reason: "Conflict", message: "Precondition failed: UID in precondition: \(uid)")
            }
            if let version = options["preconditions"]?["resourceVersion"]?.stringValue,
                version != metadata["resourceVersion"]?.stringValue
            {
                return .failure(
                    409, reason: "Conflict", message: "Precondition failed: ResourceVersion in precondition: \(version)")
            }
            state.resourceVersion += 1
            metadata["resourceVersion"] = .string(String(state.resourceVersion))
            if !(metadata["finalizers"]?.arrayValue ?? []).isEmpty {
                // Finalizers hold the object: mark it and wait for them to be removed.
                if metadata["deletionTimestamp"] == nil {
                    metadata["deletionTimestamp"] = .string(KubernetesTime.format(Date()))
                    metadata["deletionGracePeriodSeconds"] = 0
                    object["metadata"] = .object(metadata)
                    state.objects[path.collection]![key] = object
                    Self.record(&state, path.collection, "MODIFIED", object)
                } else {
                    state.resourceVersion -= 1
                }
                return APIResponse(status: 200, body: .object(state.objects[path.collection]![key]!))
            }
            object["metadata"] = .object(metadata)
            state.objects[path.collection]![key] = nil
            Self.record(&state, path.collection, "DELETED", object)
            return APIResponse(status: 200, body: .object(object))
        }
    }

    /// A Secret's `stringData` is write-only, as in kube-apiserver: each entry is stored in `data`
    /// (base64), over a `data` entry of the same key, and `stringData` itself is dropped.
    private static func foldStringData(_ object: inout JSONObject, _ path: APIPath) {
        guard path.resource == "secrets", let strings = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in strings {
            data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        object["data"] = .object(data)
        object.removeValue(forKey: "stringData")
    }

    private static func update(_ state: inout State, _ path: APIPath, candidate: JSONObject) -> APIResponse {
        let key = Self.key(path.namespace, path.name ?? "")
        guard let old = state.objects[path.collection]?[key] else { return .notFound(path) }
        let oldMetadata = old["metadata"]?.objectValue ?? [:]
        var candidateMetadata = candidate["metadata"]?.objectValue ?? [:]
        if let name = candidateMetadata["name"]?.stringValue, name != path.name {
            return .failure(400, reason: "BadRequest", message: "the name of the object does not match the request")
        }
        if let version = candidateMetadata["resourceVersion"]?.stringValue, !version.isEmpty,
            version != oldMetadata["resourceVersion"]?.stringValue
        {
            return .failure(
                409, reason: "Conflict",
                message:
                    "Operation cannot be fulfilled on \(path.resource) \"\(path.name ?? "")\": the object has been modified; please apply your changes to the latest version and try again"
            )
        }
        var new = candidate
        if path.subresource == "status" {
            // As kube-apiserver's status strategies for Services and Nodes: the spec stays, the
            // status and metadata changes (labels, annotations, finalizers) are taken. The
            // upstream service controller adds its cleanup finalizer this way.
            new["spec"] = old["spec"]
        } else if path.collection.hasStatusSubresource {
            new["status"] = old["status"]
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name", "generation"] {
            candidateMetadata[field] = oldMetadata[field]
        }
        if new["spec"] != old["spec"] {
            candidateMetadata["generation"] = .int(Int64((oldMetadata["generation"]?.intValue ?? 0) + 1))
        }
        candidateMetadata["resourceVersion"] = oldMetadata["resourceVersion"]
        new["metadata"] = .object(candidateMetadata)
        Self.foldStringData(&new, path)
        new["kind"] = old["kind"]
        new["apiVersion"] = old["apiVersion"]
        if new == old { return APIResponse(status: 200, body: .object(old)) }
        state.resourceVersion += 1
        var metadata = new["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = .string(String(state.resourceVersion))
        new["metadata"] = .object(metadata)
        if metadata["deletionTimestamp"] != nil && (metadata["finalizers"]?.arrayValue ?? []).isEmpty {
            state.objects[path.collection]![key] = nil
            record(&state, path.collection, "DELETED", new)
            return APIResponse(status: 200, body: .object(new))
        }
        state.objects[path.collection]![key] = new
        record(&state, path.collection, "MODIFIED", new)
        return APIResponse(status: 200, body: .object(new))
    }

    // MARK: Helpers

    static func key(_ namespace: String?, _ name: String) -> String {
        if let namespace, !namespace.isEmpty { return namespace + "/" + name }
        return name
    }

    static func meta(_ object: JSONObject, _ field: String) -> String? {
        object["metadata"]?[field]?.stringValue
    }

    /// `metadata.name=X` from a field selector; other field selectors are not supported.
    static func fieldName(_ selector: String?) -> String? {
        guard let selector, let range = selector.range(of: "metadata.name=") else { return nil }
        return String(selector[range.upperBound...].prefix { $0 != "," })
    }

    static func matches(_ object: JSONObject, namespace: String?, labels: LabelSelector, fieldName: String?) -> Bool {
        if let namespace, meta(object, "namespace") != namespace { return false }
        if let fieldName, meta(object, "name") != fieldName { return false }
        let objectLabels = object["metadata"]?["labels"].flatMap([String: String].init(jsonValue:)) ?? [:]
        return labels.matches(objectLabels)
    }

    /// Appends to the history and fans the event out to matching watches. Called under the lock,
    /// so every watch sees events in resourceVersion order.
    static func record(_ state: inout State, _ collection: CollectionID, _ type: String, _ object: JSONObject) {
        let version = state.resourceVersion
        state.history.append(HistoryEntry(resourceVersion: version, collection: collection, type: type, object: object))
        if state.history.count > state.maximumHistory {
            let dropped = state.history.count - state.maximumHistory / 2
            state.compactedThrough = state.history[dropped - 1].resourceVersion
            state.history.removeFirst(dropped)
        }
        for watcher in state.watchers.values where watcher.collection == collection {
            guard matches(object, namespace: watcher.namespace, labels: watcher.labels, fieldName: watcher.fieldName)
            else { continue }
            watcher.continuation.yield(.frame(["type": .string(type), "object": .object(object)]))
        }
    }
}
