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
    enum Notification: Sendable {
        case add(Resource)
        case update(Resource, Resource)
        case delete(Resource)
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
    private let handlers = Mutex<[ResourceEventHandler<Resource>]>([])
    private let syncState = Mutex<(synced: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let relists: Counter

    /// - Parameters:
    ///   - namespace: one namespace, or `nil` for all (and for cluster-scoped kinds).
    ///   - resyncPeriod: how often every cached object is re-reported; `nil` for never.
    ///   - backoff: delay between failed list/watch attempts.
    public init(
        client: KubernetesClient, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        resyncPeriod: Duration? = nil, backoff: ExponentialBackoff = ExponentialBackoff(base: .milliseconds(800), maximum: .seconds(30)),
        watchTimeoutSeconds: ClosedRange<Int> = 300...600, logger: Logger
    ) {
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
                    var options = selectors
                    options.limit = 500
                    let list = try await client.listAll(Resource.self, namespace: namespace, options: options)
                    replace(with: list.items, notifications)
                    machine.listSucceeded(resourceVersion: list.resourceVersion ?? "0")
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

    /// Applies one watch event to the cache and queues its notification, under the cache lock so
    /// notifications leave in the order the cache changed.
    private func apply(_ event: WatchEvent<Resource>, _ notifications: AsyncStream<Notification>.Continuation) {
        cache.storage.withLock { storage in
            switch event {
            case .added(let object), .modified(let object):
                let old = storage.updateValue(object, forKey: object.key)
                notifications.yield(old.map { .update($0, object) } ?? .add(object))
            case .deleted(let object):
                let old = storage.removeValue(forKey: object.key)
                notifications.yield(.delete(old ?? object))
            case .bookmark:
                break
            }
        }
    }

    /// Replaces the cache with a fresh list, reporting what was added, changed and removed.
    private func replace(with items: [Resource], _ notifications: AsyncStream<Notification>.Continuation) {
        cache.storage.withLock { storage in
            var fresh: [String: Resource] = [:]
            fresh.reserveCapacity(items.count)
            for item in items {
                let key = item.key
                fresh[key] = item
                if let old = storage[key] {
                    if old.metadata.resourceVersion != item.metadata.resourceVersion {
                        notifications.yield(.update(old, item))
                    }
                } else {
                    notifications.yield(.add(item))
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
            for object in storage.values { notifications.yield(.update(object, object)) }
        }
    }

    private func deliver(_ notification: Notification) async {
        let handlers = self.handlers.withLock { $0 }
        for handler in handlers {
            switch notification {
            case .add(let object): await handler.onAdd(object)
            case .update(let old, let new): await handler.onUpdate(old, new)
            case .delete(let object): await handler.onDelete(object)
            }
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
