import CloudAPI
import Testing

@Suite struct ResourceTests {
    @Test func instancesLookupAndPower() async throws {
        try await Harness.with { h in
            let created = try await h.newInstance()
            #expect(created.status == .pending)
            #expect(created.providerID == "vultr://\(created.id)")
            #expect(Instance.instanceID(fromProviderID: created.providerID) == created.id)
            #expect(created.publicIPv4?.hasPrefix("127.1.") == true)
            #expect(created.privateIPv4?.hasPrefix("127.2.") == true)
            try await h.client.setPower(instanceID: created.id, running: false)
            #expect(try await h.client.instance(id: created.id).power == .stopped)
            try await h.client.setPower(instanceID: created.id, running: true)
            #expect(try await h.client.instance(id: created.id).power == .running)
            try await h.client.deleteInstance(id: created.id)
            let gone = await #expect(throws: CloudError.self) { try await h.client.instance(id: created.id) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func loadBalancerCreateUpdateListDelete() async throws {
        try await Harness.with { h in
            let node = try await h.newInstance()
            var spec = LoadBalancerSpec(
                region: "ewr", label: "svc-a", instanceIDs: [node.id],
                forwardingRules: [.init(frontendProtocol: .tcp, frontendPort: 80, backendProtocol: .tcp, backendPort: 30080)],
                firewallRules: [.init(port: 80, source: "10.0.0.0/8")],
                healthCheck: .init(protocol: .http, port: 10256, path: "/healthz"),
                balancingAlgorithm: .leastConnections, stickySessionCookie: "sess", proxyProtocol: true)
            let lb = try await h.client.createLoadBalancer(spec)
            #expect(lb.status == .pending)
            #expect(lb.ipv4 != nil)
            let active = try await h.client.waitUntilActive(loadBalancerID: lb.id, timeout: .seconds(10))
            #expect(active.forwardingRules == spec.forwardingRules)
            #expect(active.firewallRules == spec.firewallRules)
            #expect(active.healthCheck == spec.healthCheck)
            #expect(active.balancingAlgorithm == .leastConnections)
            #expect(active.stickySessionCookie == "sess")
            #expect(active.proxyProtocol)
            #expect(active.instanceIDs == [node.id])
            spec.forwardingRules.append(.init(frontendProtocol: .http, frontendPort: 8080, backendProtocol: .http, backendPort: 30081))
            spec.instanceIDs = []
            try await h.client.updateLoadBalancer(id: lb.id, spec)
            let updated = try await h.client.loadBalancer(id: lb.id)
            #expect(updated.forwardingRules.count == 2)
            #expect(updated.instanceIDs.isEmpty)
            #expect(try await h.client.loadBalancers().map(\.id) == [lb.id])
            #expect(try await h.client.loadBalancer(labeled: "svc-a")?.id == lb.id)
            try await h.client.deleteLoadBalancer(id: lb.id)
            #expect(try await h.client.loadBalancers().isEmpty)
        }
    }

    @Test func routesOnTheLocalCloudAndUnsupportedOnVultr() async throws {
        try await Harness.with { h in
            #expect(h.client.supportsRoutes)
            let node = try await h.newInstance()
            let route = try await h.client.createRoute(RouteSpec(destination: "10.244.1.0/24", instanceID: node.id))
            #expect(route.nextHop == node.privateIPv4)
            #expect(try await h.client.routes() == [route])
            let duplicate = await #expect(throws: CloudError.self) {
                try await h.client.createRoute(RouteSpec(destination: "10.244.1.0/24", instanceID: node.id))
            }
            #expect(duplicate?.code == .conflict)
            try await h.client.deleteRoute(id: route.id)
            #expect(try await h.client.routes().isEmpty)
        }
        try await Harness.with(client: { $0.hasRoutesExtension = false }) { h in
            #expect(!h.client.supportsRoutes)
            let error = await #expect(throws: CloudError.self) { try await h.client.routes() }
            #expect(error?.code == .unsupported)
            #expect(h.requests("routes.list") == 0)
        }
    }
}
