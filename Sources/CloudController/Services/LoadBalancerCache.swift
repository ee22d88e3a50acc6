import CloudAPI

/// One list of the account's load balancers shared by every reconcile for `maxAge`, so a resync
/// of all Services costs one list (one call per page), not one GET per Service. What this
/// controller writes is kept current: a created load balancer is stored, an updated one is
/// re-read by id on its next lookup, a deleted one is dropped. Load balancers still `pending`
/// are always re-read, so their activation is seen.
actor LoadBalancerCache {
    private let cloud: any LoadBalancers
    private let maxAge: Duration
    private var items: [String: LoadBalancer] = [:]
    private var listedAt: ContinuousClock.Instant?
    private var stale: Set<String> = []
    private var listing: Task<[LoadBalancer], any Error>?
    /// The last failed list, answered again for `failureHold` so an outage costs one call per
    /// hold, not one per queued Service.
    private var lastFailure: (at: ContinuousClock.Instant, error: any Error)?
    private let failureHold: Duration = .seconds(2)

    init(cloud: any LoadBalancers, maxAge: Duration) {
        self.cloud = cloud
        self.maxAge = maxAge
    }

    private var isFresh: Bool { listedAt.map { ContinuousClock.now - $0 < maxAge } ?? false }

    /// Every load balancer, from a list at most `maxAge` old (or a new one when `fresh`). Callers
    /// arriving while a list is under way share it. Throws when the list fails: never read
    /// "not in the list" from a failed list.
    func all(fresh: Bool = false) async throws -> [LoadBalancer] {
        if !fresh, isFresh, stale.isEmpty { return Array(items.values) }
        if !fresh, isFresh {
            for id in stale { _ = try await loadBalancer(id: id) }
            return Array(items.values)
        }
        if let lastFailure, ContinuousClock.now - lastFailure.at < failureHold { throw lastFailure.error }
        let task: Task<[LoadBalancer], any Error>
        if let listing {
            task = listing
        } else {
            let cloud = self.cloud
            task = Task { try await cloud.loadBalancers() }
            listing = task
        }
        defer { if listing == task { listing = nil } }
        let list: [LoadBalancer]
        do {
            list = try await task.value
        } catch {
            if listing == task { lastFailure = (.now, error) }
            throw error
        }
        if listing == task {
            lastFailure = nil
            items = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            listedAt = .now
            stale = Set(list.filter { $0.status != .active }.map(\.id))
        }
        return list
    }

    /// The load balancer with `id`, or nil when the cloud confirms it does not exist (404).
    /// Other failures throw.
    func loadBalancer(id: String) async throws -> LoadBalancer? {
        // An old snapshot is renewed by one list for everybody, not one GET per Service.
        if !isFresh { _ = try await all() }
        if !stale.contains(id), let cached = items[id] { return cached }
        do {
            let fresh = try await cloud.loadBalancer(id: id)
            items[id] = fresh
            if fresh.status == .active { stale.remove(id) } else { stale.insert(id) }
            return fresh
        } catch let error as CloudError where error.code == .notFound {
            items[id] = nil
            stale.remove(id)
            return nil
        }
    }

    /// Records a load balancer this controller created.
    func store(_ loadBalancer: LoadBalancer) {
        items[loadBalancer.id] = loadBalancer
        if loadBalancer.status != .active { stale.insert(loadBalancer.id) }
    }

    /// Makes the next ``all(fresh:)`` list the cloud again (after a create whose outcome is
    /// unknown, the list held — or one still under way, begun before the create — may lack what
    /// it made).
    func forgetList() {
        listedAt = nil
        listing = nil
    }

    /// Marks a load balancer changed: its next lookup reads it again.
    func invalidate(id: String) {
        stale.insert(id)
    }

    /// Forgets a deleted load balancer.
    func remove(id: String) {
        items[id] = nil
        stale.remove(id)
    }
}
