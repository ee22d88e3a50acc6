/// A read-through cache in front of any ``Instances`` backend: one list call, at most every
/// `ttl`, serves every lookup in between (concurrent misses share one call). An id missing from
/// a fresh list is confirmed with one direct lookup (a 404 is authoritative) and remembered as
/// missing until the next refresh, so a sync period costs O(1) calls, not O(nodes).
public actor CachedInstances: Instances {
    private let backend: any Instances
    private let ttl: Duration
    private var byID: [String: Instance] = [:]
    private var missing: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?
    private var refreshing: Task<[Instance], any Error>?

    public init(backend: any Instances, ttl: Duration = .seconds(30)) {
        self.backend = backend
        self.ttl = ttl
    }

    public func instance(id: String) async throws -> Instance {
        try await ensureFresh()
        if let cached = byID[id] { return cached }
        if missing.contains(id) {
            throw CloudError(code: .notFound, status: 404, message: "instance \(id) not found", path: "GET /v2/instances/\(id)")
        }
        do {
            let found = try await backend.instance(id: id)
            byID[id] = found
            return found
        } catch let error as CloudError where error.code == .notFound {
            missing.insert(id)
            throw error
        }
    }

    public func instances() async throws -> [Instance] {
        try await ensureFresh()
        return byID.values.sorted { $0.id < $1.id }
    }

    /// Drops the cache; the next lookup lists again.
    public func invalidate() {
        fetchedAt = nil
    }

    private func ensureFresh() async throws {
        if let fetchedAt, fetchedAt.duration(to: .now) < ttl { return }
        let task: Task<[Instance], any Error>
        if let refreshing {
            task = refreshing
        } else {
            let backend = self.backend
            task = Task { try await backend.instances() }
            refreshing = task
        }
        defer { if refreshing == task { refreshing = nil } }
        let all = try await task.value
        if refreshing == task || fetchedAt == nil {
            byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
            missing = []
            fetchedAt = .now
        }
    }
}
