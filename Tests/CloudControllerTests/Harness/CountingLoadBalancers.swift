import CloudAPI
import Synchronization

/// Counts the service controller's cloud calls by operation, passing them on to the real client.
final class CountingLoadBalancers: LoadBalancers {
    enum Operation: String, Sendable { case create, get, list, update, delete }
    private let base: any LoadBalancers
    private let counts = Mutex<[Operation: Int]>([:])
    private let beforeCreateHook = Mutex<(@Sendable () -> Void)?>(nil)

    private let dieAfterUpdate = Mutex(false)

    /// The next update reaches the cloud, then its caller sees a failure, as if the process had
    /// died right after the cloud applied it (nothing after the call runs).
    func failAfterNextUpdate() { dieAfterUpdate.withLock { $0 = true } }

    struct SimulatedCrash: Error {}

    /// Runs `hook` right before each create is sent (to look at the world at that moment).
    func beforeCreate(_ hook: @escaping @Sendable () -> Void) { beforeCreateHook.withLock { $0 = hook } }

    init(_ base: any LoadBalancers) { self.base = base }

    func count(_ operation: Operation) -> Int { counts.withLock { $0[operation] ?? 0 } }
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
    var writes: Int { count(.create) + count(.update) + count(.delete) }
    func reset() { counts.withLock { $0.removeAll() } }

    private func note(_ operation: Operation) { counts.withLock { $0[operation, default: 0] += 1 } }

    func createLoadBalancer(_ spec: LoadBalancerSpec) async throws -> LoadBalancer {
        note(.create)
        beforeCreateHook.withLock { $0 }?()
        return try await base.createLoadBalancer(spec)
    }
    func loadBalancer(id: String) async throws -> LoadBalancer {
        note(.get)
        return try await base.loadBalancer(id: id)
    }
    func loadBalancers() async throws -> [LoadBalancer] {
        note(.list)
        return try await base.loadBalancers()
    }
    func updateLoadBalancer(id: String, _ spec: LoadBalancerSpec) async throws {
        note(.update)
        try await base.updateLoadBalancer(id: id, spec)
        if dieAfterUpdate.withLock({ armed in defer { armed = false }; return armed }) { throw SimulatedCrash() }
    }
    func deleteLoadBalancer(id: String) async throws {
        note(.delete)
        try await base.deleteLoadBalancer(id: id)
    }
}
