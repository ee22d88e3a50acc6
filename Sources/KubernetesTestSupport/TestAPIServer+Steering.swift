import Kubernetes

/// What tests steer: injected failures, watches, history, tokens, recorded requests, stored objects.
extension TestAPIServer {
    /// Queue a canned failure for the next matching request(s).
    public func inject(_ failure: InjectedFailure) {
        controls.withLock { $0.failures.append(failure) }
    }

    /// Withdraw every injected failure not yet used.
    public func clearInjectedFailures() {
        controls.withLock { $0.failures.removeAll() }
    }

    /// Close every open watch connection without finishing the response.
    public func dropWatches() { store.endWatches(with: .drop) }

    /// Finish every open watch response cleanly, as a server-side timeout does.
    public func endWatches() { store.endWatches(with: .end) }

    /// Forget history: watches and continue tokens from before now get 410 Gone.
    public func compact() { store.compact() }

    /// Send a BOOKMARK now on every open watch.
    public func sendBookmarks() { store.bookmark() }

    /// Send bookmarks on every watch this often (off by default).
    public func setBookmarkInterval(_ interval: Duration?) { controls.withLock { $0.bookmarkInterval = interval } }

    /// Answer 401 unless requests carry `Authorization: Bearer <token>`.
    public func setRequiredToken(_ token: String?) { controls.withLock { $0.requiredToken = token } }

    /// Every request received so far.
    public var requests: [RecordedRequest] { controls.withLock { $0.requests } }

    public func clearRequests() { controls.withLock { $0.requests.removeAll() } }

    /// Open watch connections.
    public var openWatches: Int { store.watchCount }

    /// The current global resourceVersion.
    public var resourceVersion: Int { store.state.withLock { $0.resourceVersion } }

    /// The stored object at `path` (e.g. `/api/v1/nodes/a`), bypassing HTTP.
    public func object(at path: String) -> JSONObject? {
        guard let parsed = APIPath(path) else { return nil }
        let response = store.get(parsed)
        return response.status == 200 ? response.body.objectValue : nil
    }

    /// Stores objects directly (as if created), bypassing HTTP and faults. `path` is the collection.
    @discardableResult
    public func seed(_ objects: [JSONObject], into path: String) -> [JSONObject] {
        objects.map { object in
            var collectionPath = path
            if let namespace = object["metadata"]?["namespace"]?.stringValue, !path.contains("/namespaces/") {
                let resource = path.split(separator: "/").last.map(String.init) ?? ""
                collectionPath = String(path.dropLast(resource.count)) + "namespaces/\(namespace)/\(resource)"
            }
            return store.create(APIPath(collectionPath)!, body: object).body.objectValue ?? [:]
        }
    }
}
