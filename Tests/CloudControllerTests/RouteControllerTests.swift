import CloudAPI
import CloudController
import Kubernetes
import LocalCloud
import ServiceLifecycle
import Testing

/// The route controller and its plan.
@Suite(.serialized) struct RouteControllerTests {
    let cluster = [IPNetwork(parsing: "10.244.0.0/16")!]

    func controller(_ h: NodeHarness) -> RouteController {
        RouteController(
            client: h.client, nodes: h.nodes, routes: h.counting, instances: CachedInstances(backend: h.counting, ttl: .seconds(5)),
            clusterName: "test", clusterCIDRs: cluster, period: .seconds(3600), logger: h.logger)
    }

    func networkUnavailable(_ h: NodeHarness, _ name: String) async throws -> NodeCondition? {
        try await h.node(name)?.status.condition("NetworkUnavailable")
    }

    @Test func createsOneRoutePerPodCIDRAndDeletesOnlyStaleOnesInsideTheClusterCIDR() async throws {
        try await NodeHarness.with { h in
            let a = try await h.newInstance("a")
            let b = try await h.newInstance("b")
            try await h.createNode("a", podCIDR: "10.244.1.0/24", initializedWith: a)
            try await h.createNode("b", podCIDR: "10.244.2.0/24", initializedWith: b)
            try await h.createNode("pending", podCIDR: "10.244.3.0/24")  // not initialized: no route yet
            let stale = try await h.cloud.createRoute(RouteSpec(destination: "10.244.9.0/24", instanceID: a.id))
            let foreign = try await h.cloud.createRoute(RouteSpec(destination: "172.16.0.0/24", instanceID: a.id))
            // Right destination, wrong instance (the node was replaced): replaced.
            let moved = try await h.cloud.createRoute(RouteSpec(destination: "10.244.2.0/24", instanceID: a.id))

            try await controller(h).reconcile()
            let routes = try await h.cloud.routes()
            let byDestination = Dictionary(uniqueKeysWithValues: routes.map { ($0.destination, $0) })
            #expect(byDestination["10.244.1.0/24"]?.instanceID == a.id)
            #expect(byDestination["10.244.1.0/24"]?.nextHop == a.privateIPv4)
            #expect(byDestination["10.244.1.0/24"]?.description == "test:a")
            #expect(byDestination["10.244.2.0/24"]?.instanceID == b.id)
            #expect(byDestination["10.244.3.0/24"] == nil)
            #expect(!routes.contains { $0.id == stale.id || $0.id == moved.id })
            #expect(routes.contains { $0.id == foreign.id })

            let condition = try #require(try await networkUnavailable(h, "a"))
            #expect(condition.status == "False")
            #expect(condition.reason == "RouteCreated")
            #expect(try await h.node("a")?.isReady == true)  // the kubelet's conditions stay
            #expect(try await networkUnavailable(h, "pending") == nil)
        }
    }

    @Test func atRestAPeriodCostsOneListAndNoWrites() async throws {
        try await NodeHarness.with { h in
            for index in 1...10 {
                let instance = try await h.newInstance("n\(index)")
                try await h.createNode("n\(index)", podCIDR: "10.244.\(index).0/24", initializedWith: instance)
            }
            let routes = controller(h)
            try await routes.reconcile()
            _ = await eventually {
                h.nodes.cache.list().allSatisfy { $0.status.condition("NetworkUnavailable")?.status == "False" }
            }
            h.counting.reset()
            let statusPatches = h.requests("PATCH", "/status")
            try await routes.reconcile()
            try await routes.reconcile()
            #expect(h.counting.count("routes") == 2)
            #expect(h.counting.total == 2)
            #expect(h.requests("PATCH", "/status") == statusPatches)
        }
    }

    @Test func failedCreationSetsNoRouteCreatedAndSuccessClearsIt() async throws {
        try await NodeHarness.with { h in
            let a = try await h.newInstance("a")
            try await h.createNode("a", podCIDR: "10.244.1.0/24", initializedWith: a)
            let routes = controller(h)
            let failing = RouteController(
                client: h.client, nodes: h.nodes, routes: FailingCreates(h.counting),
                instances: CachedInstances(backend: h.counting, ttl: .seconds(5)), clusterName: "test", clusterCIDRs: cluster,
                period: .seconds(3600), logger: h.logger)
            try await failing.reconcile()
            let condition = try #require(try await networkUnavailable(h, "a"))
            #expect(condition.status == "True")
            #expect(condition.reason == "NoRouteCreated")
            _ = await eventually { h.nodes.cache.get(name: "a")?.status.condition("NetworkUnavailable")?.status == "True" }
            try await routes.reconcile()
            #expect(try await networkUnavailable(h, "a")?.status == "False")
            #expect(try await networkUnavailable(h, "a")?.reason == "RouteCreated")
        }
    }

    @Test func deletedNodeLosesItsRoute() async throws {
        try await NodeHarness.with { h in
            let a = try await h.newInstance("a")
            try await h.createNode("a", podCIDR: "10.244.1.0/24", initializedWith: a)
            let routes = controller(h)
            try await routes.reconcile()
            #expect(try await h.cloud.routes().count == 1)
            try await h.client.delete(Node.self, name: "a")
            _ = await eventually { h.nodes.cache.get(name: "a") == nil }
            try await routes.reconcile()
            #expect(try await h.cloud.routes().isEmpty)
            #expect(try await h.cloud.instance(id: a.id).id == a.id)  // the instance itself is untouched
        }
    }

    @Test func withoutARoutesAPIItStaysOffAndCallsNothing() async throws {
        try await NodeHarness.with(routes: false) { h in
            let a = try await h.newInstance("a")
            try await h.createNode("a", podCIDR: "10.244.1.0/24", initializedWith: a)
            let routes = controller(h)
            let group = ServiceGroup(configuration: .init(services: [routes], logger: h.logger))
            let task = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            try await task.value
            #expect(h.counting.total == 0)
            #expect(try await networkUnavailable(h, "a") == nil)
        }
    }

    @Test func planNeverTouchesRoutesOutsideTheClusterCIDR() {
        let existing = [
            Route(id: "1", destination: "10.244.1.0/24", instanceID: "i1", nextHop: "", description: ""),
            Route(id: "2", destination: "10.244.2.0/24", instanceID: "i2", nextHop: "", description: ""),
            Route(id: "3", destination: "192.168.0.0/24", instanceID: "i9", nextHop: "", description: ""),
        ]
        let wanted = [
            RoutePlan.Wanted(nodeName: "n1", instanceID: "i1", destination: "10.244.1.0/24"),
            RoutePlan.Wanted(nodeName: "n3", instanceID: "i3", destination: "10.244.3.0/24"),
        ]
        let plan = RoutePlan(wanted: wanted, existing: existing, clusterCIDRs: cluster)
        #expect(plan.delete.map(\.id) == ["2"])
        #expect(plan.create.map(\.destination) == ["10.244.3.0/24"])
        #expect(plan.present.map(\.nodeName) == ["n1"])
        #expect(RoutePlan(wanted: [], existing: existing, clusterCIDRs: []).delete.isEmpty)
    }
}

/// Routes whose creation always fails (the rest goes to the real backend).
struct FailingCreates: Routes {
    let backend: CountingCloud
    init(_ backend: CountingCloud) { self.backend = backend }
    var supportsRoutes: Bool { true }
    func routes() async throws -> [Route] { try await backend.routes() }
    func createRoute(_ spec: RouteSpec) async throws -> Route {
        throw CloudError(code: .unavailable, status: 503, message: "injected", path: "POST /v2/routes")
    }
    func deleteRoute(id: String) async throws { try await backend.deleteRoute(id: id) }
}
