import CloudAPI
@testable import CloudController
import Synchronization
import Testing

/// The service controller's shared list of load balancers (`LoadBalancerCache`): what it answers
/// when a list is still under way as a create's outcome becomes unknown.
@Suite struct LoadBalancerCacheTests {
    /// Lists answer with what `answers` holds at the moment each list is released, in order; a
    /// list waits until the test releases it, so two lists can be under way at once.
    final class GatedLists: LoadBalancers {
        private struct State {
            var waiting: [CheckedContinuation<[LoadBalancer], Never>] = []
            var listsStarted = 0
        }
        private let state = Mutex(State())

        var listsStarted: Int { state.withLock { $0.listsStarted } }
        var listsWaiting: Int { state.withLock { $0.waiting.count } }

        /// Answers the oldest waiting list with `items`.
        func releaseOldestList(with items: [LoadBalancer]) {
            let next = state.withLock { $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }
            next?.resume(returning: items)
        }

        func loadBalancers() async throws -> [LoadBalancer] {
            await withCheckedContinuation { continuation in
                state.withLock {
                    $0.listsStarted += 1
                    $0.waiting.append(continuation)
                }
            }
        }
        func createLoadBalancer(_ spec: LoadBalancerSpec) async throws -> LoadBalancer { throw Unused() }
        func loadBalancer(id: String) async throws -> LoadBalancer { throw Unused() }
        func updateLoadBalancer(id: String, _ spec: LoadBalancerSpec) async throws { throw Unused() }
        func deleteLoadBalancer(id: String) async throws { throw Unused() }
        struct Unused: Error {}
    }

    static func balancer(_ id: String) -> LoadBalancer {
        LoadBalancer(id: id, label: id, region: "ewr", status: .active, ipv4: "192.0.2.1", ipv6: nil, instanceIDs: [],
                     forwardingRules: [], firewallRules: [], healthCheck: .init(protocol: .tcp, port: 80),
                     balancingAlgorithm: .roundRobin, stickySessionCookie: nil, proxyProtocol: false,
                     sslRedirect: false, hasSSL: false, nodes: 1)
    }

    static func until(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition(), "timed out waiting")
    }

    /// A list begun before a create whose answer was lost may lack what the create made: after
    /// `forgetList`, a caller must not join it but list again, and the old list, finishing late,
    /// must not replace the newer one.
    @Test func aListUnderWayWhenACreateIsLostIsNeitherJoinedNorKept() async throws {
        let cloud = GatedLists()
        let cache = LoadBalancerCache(cloud: cloud, maxAge: .seconds(60))
        let early = Task { try await cache.all() }
        try await Self.until { cloud.listsWaiting == 1 }

        await cache.forgetList()
        let late = Task { try await cache.all() }
        try await Self.until { cloud.listsWaiting == 2 }
        #expect(cloud.listsStarted == 2, "the caller after forgetList started its own list")

        // The early list answers from before the create; the late one sees what the create made.
        cloud.releaseOldestList(with: [])
        cloud.releaseOldestList(with: [Self.balancer("made-by-the-lost-create")])
        #expect(try await early.value.isEmpty)
        #expect(try await late.value.map(\.id) == ["made-by-the-lost-create"])

        // What the cache holds now is the late list, and it is fresh: no third list.
        #expect(try await cache.all().map(\.id) == ["made-by-the-lost-create"])
        #expect(cloud.listsStarted == 2)
    }

    /// Without `forgetList`, callers arriving while a list is under way share it: one call.
    @Test func callersDuringAListShareIt() async throws {
        let cloud = GatedLists()
        let cache = LoadBalancerCache(cloud: cloud, maxAge: .seconds(60))
        let first = Task { try await cache.all() }
        try await Self.until { cloud.listsWaiting == 1 }
        let second = Task { try await cache.all() }
        try await Task.sleep(for: .milliseconds(50))
        cloud.releaseOldestList(with: [Self.balancer("a")])
        #expect(try await first.value.map(\.id) == ["a"])
        #expect(try await second.value.map(\.id) == ["a"])
        #expect(cloud.listsStarted == 1)
    }
}
