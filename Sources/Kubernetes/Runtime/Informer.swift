import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// A list+watch cache of one resource collection with change notifications.
///
/// It lists (following continue tokens), then watches from the list's resourceVersion with
/// bookmarks; reopens dropped watches from the last version seen; relists when the server
/// answers 410 Gone, turning the difference into add/update/delete notifications; and every
/// `resyncPeriod` reports each cached object again as an update. Runs as a `Service`.
public final class Informer<Resource: KubernetesResource>: ServiceLifecycle.Service, Sendable {
    /// A change, carried in cache form and decoded only on delivery so a backlog (the initial
    /// list, a resync) costs encoded bytes, not decoded trees.
    enum Notification: Sendable {
        case add(ObjectCache<Resource>.Entry)
        case update(ObjectCache<Resource>.Entry, ObjectCache<Resource>.Entry)
        case resync(ObjectCache<Resource>.Entry)
        case delete(ObjectCache<Resource>.Entry)
    }

    public let cache = ObjectCache<Resource>()
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    public let resyncPeriod: Duration?
    private let client: KubernetesClient
    private let logger: Logger
    private let backoff: ExponentialBackoff
    private let watchTimeoutSeconds: ClosedRange<Int>
    private let pageSize: Int
    private let transform: (@Sendable (inout Resource) -> Void)?
    private let handlers = Mutex<[ResourceEventHandler<Resource>]>([])
    private let syncState = Mutex<(synced: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let relists: Counter

    /// - Parameters:
    ///   - namespace: one namespace, or `nil` for all (and for cluster-scoped kinds).
    ///   - resyncPeriod: how often every cached object is re-reported; `nil` for never.
    ///   - backoff: delay between failed list/watch attempts.
    ///   - pageSize: objects per list request; smaller pages lower the memory peak of a (re)list.
    ///   - transform: applied to every object before it is cached, e.g. `Informer.dropManagedFields`
    ///     to save memory. Whatever it removes is missing from cached copies, so write back with
    ///     patches (or re-read) rather than updating a transformed copy.
    public init(
        client: KubernetesClient, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        resyncPeriod: Duration? = nil, backoff: ExponentialBackoff = ExponentialBackoff(base: .milliseconds(800), maximum: .seconds(30)),
        watchTimeoutSeconds: ClosedRange<Int> = 300...600, pageSize: Int = 100,
        transform: (@Sendable (inout Resource) -> Void)? = nil, logger: Logger
    ) {
        self.transform = transform
        self.pageSize = max(1, pageSize)
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resyncPeriod = resyncPeriod
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.logger = logger
        self.relists = Counter(label: "informer_relists_total", dimensions: [("resource", Resource.descriptor.plural)])
    }

    /// A `transform` that removes `metadata.managedFields` (server-side apply bookkeeping, often
    /// the largest part of an object).
    public static var dropManagedFields: @Sendable (inout Resource) -> Void {
        { object in
            var metadata = object.metadata
            metadata.json.removeValue(forKey: "managedFields")
            object.metadata = metadata
        }
    }

    /// The cache form of `object`, after the transform.
    private func entry(_ object: Resource) -> ObjectCache<Resource>.Entry {
        guard let transform else { return ObjectCache.Entry(object) }
        var object = object
        transform(&object)
        return ObjectCache.Entry(object)
    }

    /// Adds a handler; register before `run()` so it sees the initial adds.
    public func addHandler(_ handler: ResourceEventHandler<Resource>) {
        handlers.withLock { $0.append(handler) }
    }

    /// `true` once the first list is in the cache.
    public var hasSynced: Bool { syncState.withLock { $0.synced } }

    /// Returns once the first list is in the cache.
    public func waitUntilSynced() async {
        await withCheckedContinuation { continuation in
            let ready = syncState.withLock { state -> Bool in
                if state.synced { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    public func run() async throws {
        let (notifications, continuation) = AsyncStream.makeStream(of: Notification.self)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await notification in notifications { await self.deliver(notification) }
                }
                group.addTask { await self.listAndWatch(continuation) }
                if let period = self.resyncPeriod {
                    group.addTask {
                        while (try? await Task.sleep(for: period)) != nil { self.resync(continuation) }
                    }
                }
                // Only list-and-watch returns, and only when cancelled.
                await group.next()
                continuation.finish()
                group.cancelAll()
            }
        }
    }

    private func listAndWatch(_ notifications: AsyncStream<Notification>.Continuation) async {
        var machine = ReflectorStateMachine(backoff: backoff)
        let selectors = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector)
        while !Task.isCancelled {
            switch machine.nextAction() {
            case .wait(let delay):
                try? await Task.sleep(for: delay)
            case .list:
                do {
                    let (entries, resourceVersion) = try await listPages(selectors)
                    replace(with: entries, notifications)
                    machine.listSucceeded(resourceVersion: resourceVersion ?? "0")
                    relists.increment()
                    markSynced()
                } catch {
                    if Task.isCancelled { return }
                    logger.info("list failed", metadata: ["resource": "\(Resource.descriptor.plural)", "error": "\(error)"])
                    machine.failed(error)
                }
            case .watch(let resourceVersion):
                var delivered = false
                do {
                    var options = selectors
                    options.resourceVersion = resourceVersion
                    options.timeoutSeconds = Int.random(in: watchTimeoutSeconds)
                    let stream = try await client.watch(Resource.self, namespace: namespace, options: options)
                    for try await event in stream {
                        apply(event, notifications)
                        machine.received(resourceVersion: event.resourceVersion)
                        delivered = true
                    }
                    machine.watchEnded(deliveredEvents: delivered)
                } catch {
                    if Task.isCancelled { return }
                    logger.debug("watch failed", metadata: ["resource": "\(Resource.descriptor.plural)", "error": "\(error)"])
                    machine.failed(error)
                }
            }
        }
    }

    /// Lists page by page, keeping only the cache form of each item so the whole collection is
    /// never held decoded at once. Items whose resourceVersion matches the cache reuse the cached
    /// bytes, so a relist does not hold two copies of an unchanged collection.
    private func listPages(_ selectors: ListOptions) async throws -> ([String: ObjectCache<Resource>.Entry], String?) {
        var options = selectors
        options.limit = pageSize
        var entries: [String: ObjectCache<Resource>.Entry] = [:]
        while true {
            let page = try await client.list(Resource.self, namespace: namespace, options: options)
            for item in page.items {
                let key = item.key
                if let cached = cache.storage.withLock({ $0[key] }),
                    cached.resourceVersion == item.metadata.resourceVersion
                {
                    entries[key] = cached
                } else {
                    entries[key] = entry(item)
                }
            }
            guard let token = page.continueToken else { return (entries, page.resourceVersion) }
            options.continueToken = token
        }
    }

    /// Applies one watch event to the cache and queues its notification, under the cache lock so
    /// notifications leave in the order the cache changed.
    private func apply(_ event: WatchEvent<Resource>, _ notifications: AsyncStream<Notification>.Continuation) {
        let entry: ObjectCache<Resource>.Entry
        let key: String
        switch event {
        case .added(let object), .modified(let object), .deleted(let object):
            entry = self.entry(object)
            key = object.key
        case .bookmark:
            return
        }
        cache.storage.withLock { storage in
            if case .deleted = event {
                let old = storage.removeValue(forKey: key)
                notifications.yield(.delete(old ?? entry))
            } else {
                let old = storage.updateValue(entry, forKey: key)
                notifications.yield(old.map { .update($0, entry) } ?? .add(entry))
            }
        }
    }

    /// Replaces the cache with a fresh list, reporting what was added, changed and removed.
    private func replace(
        with fresh: [String: ObjectCache<Resource>.Entry], _ notifications: AsyncStream<Notification>.Continuation
    ) {
        cache.storage.withLock { storage in
            for (key, entry) in fresh {
                if let old = storage[key] {
                    if old.resourceVersion != entry.resourceVersion { notifications.yield(.update(old, entry)) }
                } else {
                    notifications.yield(.add(entry))
                }
            }
            for (key, old) in storage where fresh[key] == nil {
                notifications.yield(.delete(old))
            }
            storage = fresh
        }
    }

    private func resync(_ notifications: AsyncStream<Notification>.Continuation) {
        cache.storage.withLock { storage in
            for entry in storage.values { notifications.yield(.resync(entry)) }
        }
    }

    private func deliver(_ notification: Notification) async {
        let handlers = self.handlers.withLock { $0 }
        guard !handlers.isEmpty else { return }
        switch notification {
        case .add(let entry):
            guard let object = entry.object else { return }
            for handler in handlers { await handler.onAdd(object) }
        case .update(let old, let new):
            guard let oldObject = old.object, let newObject = new.object else { return }
            for handler in handlers { await handler.onUpdate(oldObject, newObject) }
        case .resync(let entry):
            guard let object = entry.object else { return }
            for handler in handlers { await handler.onUpdate(object, object) }
        case .delete(let entry):
            guard let object = entry.object else { return }
            for handler in handlers { await handler.onDelete(object) }
        }
    }

    private func markSynced() {
        let waiters = syncState.withLock { state in
            state.synced = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
