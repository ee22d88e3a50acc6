import Foundation
import Kubernetes

extension APIStore {
    /// Registers a watch. From no resourceVersion (or `0`) it starts with a synthetic `ADDED` for
    /// every current object; from version N it replays history after N, or sends a 410 `ERROR`
    /// event and ends when N has been compacted away, as kube-apiserver does.
    func watch(_ path: APIPath, query: [String: String]) -> APIResult {
        let (stream, continuation) = AsyncStream.makeStream(of: WatchMessage.self)
        let bookmarks = query["allowWatchBookmarks"] == "true"
        let timeout = query["timeoutSeconds"].flatMap(Int.init).map { Duration.seconds($0) }
        let labels = LabelSelector(query["labelSelector"])
        let fieldName = Self.fieldName(query["fieldSelector"])
        let requested = query["resourceVersion"] ?? ""
        var start: Int?
        if !requested.isEmpty && requested != "0" {
            guard let version = Int(requested) else {
                return .response(.failure(400, reason: "BadRequest", message: "invalid resourceVersion \(requested)"))
            }
            start = version
        }
        let id: Int = state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            if let start {
                if start < state.compactedThrough {
                    continuation.yield(
                        .frame([
                            "type": "ERROR",
                            "object": APIResponse.failure(
                                410, reason: "Expired",
                                message: "too old resource version: \(start) (\(state.compactedThrough))"
                            ).body,
                        ]))
                    continuation.yield(.end)
                    continuation.finish()
                    return id
                }
                for entry in state.history
                where entry.resourceVersion > start && entry.collection == path.collection
                    && Self.matches(entry.object, namespace: path.namespace, labels: labels, fieldName: fieldName)
                {
                    continuation.yield(.frame(["type": .string(entry.type), "object": .object(entry.object)]))
                }
            } else {
                let objects = (state.objects[path.collection] ?? [:]).values
                    .filter { Self.matches($0, namespace: path.namespace, labels: labels, fieldName: fieldName) }
                    .sorted { Int(Self.meta($0, "resourceVersion") ?? "") ?? 0 < Int(Self.meta($1, "resourceVersion") ?? "") ?? 0 }
                for object in objects {
                    continuation.yield(.frame(["type": "ADDED", "object": .object(object)]))
                }
            }
            state.watchers[id] = Watcher(
                collection: path.collection, namespace: path.namespace, labels: labels, fieldName: fieldName,
                continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return .watch(WatchSubscription(id: id, messages: stream, bookmarks: bookmarks, timeout: timeout))
    }

    /// Sends a `BOOKMARK` at the current resourceVersion to watch `id` (or to every watch).
    func bookmark(_ id: Int? = nil) {
        state.withLock { state in
            for (watcherID, watcher) in state.watchers where id == nil || id == watcherID {
                let object: JSONValue = [
                    "kind": .string(watcher.collection.kind), "apiVersion": .string(watcher.collection.groupVersion),
                    "metadata": ["resourceVersion": .string(String(state.resourceVersion))],
                ]
                watcher.continuation.yield(.frame(["type": "BOOKMARK", "object": object]))
            }
        }
    }

    /// Ends watches: cleanly (`.end`, like a server-side timeout) or by dropping the connection.
    func endWatches(_ id: Int? = nil, with message: WatchMessage) {
        let ended: [AsyncStream<WatchMessage>.Continuation] = state.withLock { state in
            let ids = state.watchers.keys.filter { id == nil || $0 == id }
            return ids.compactMap { state.watchers.removeValue(forKey: $0)?.continuation }
        }
        for continuation in ended {
            continuation.yield(message)
            continuation.finish()
        }
    }

    /// Forgets all history: any watch or continue token from before now gets 410 Gone.
    func compact() {
        state.withLock { state in
            state.compactedThrough = state.resourceVersion
            state.history.removeAll()
        }
    }

    var watchCount: Int { state.withLock { $0.watchers.count } }
}
