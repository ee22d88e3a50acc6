import CloudAPI
import CloudController
import Kubernetes
import LocalCloud
import Testing

/// Nodes labelled `vultr.com/baremetal: "true"` run on bare-metal servers (`/v2/bare-metals`):
/// the cloud node controller initializes them from the server, and the lifecycle controller
/// deletes them when the server is gone but never marks them shut down.
@Suite(.serialized) struct BareMetalNodeTests {
    static func bareMetalNode(_ h: NodeHarness, _ name: String, ready: Bool = true, server: Instance? = nil) async throws {
        var node = Node(name: name)
        node.metadata.labels = [Node.bareMetalLabel: "true"]
        node.status.conditions = [NodeCondition(type: "Ready", status: ready ? "True" : "False")]
        if let server {
            node.spec.providerID = ProviderID(instanceID: server.id).description
        } else {
            node.spec.taints = [Taint(key: CloudTaints.uninitialized, value: "true", effect: "NoSchedule")]
        }
        _ = try await h.client.create(node)
        _ = await eventually { h.nodes.cache.get(name: name) != nil }
    }

    @Test func aBareMetalNodeIsInitializedFromItsServer() async throws {
        try await NodeHarness.with { h in
            let bareMetals = BareMetals(client: h.cloud)
            let server = try await bareMetals.create(region: "ewr", plan: "vbm-8c-132gb", label: "metal-1")
            // An instance with the same name must not be taken for it.
            _ = try await h.newInstance("metal-1")
            let controller = CloudNodeController(
                client: h.client, nodes: h.nodes, instances: CachedInstances(backend: h.counting, ttl: .seconds(1)),
                bareMetals: CachedInstances(backend: bareMetals, ttl: .seconds(1)),
                recorder: EventRecorder(client: h.client, component: CloudNodeController.component, logger: h.logger),
                addressSyncPeriod: .seconds(300), logger: h.logger)
            try await h.running(controller) {
                try await Self.bareMetalNode(h, "metal-1")
                #expect(await eventually { (try? await h.node("metal-1"))??.hasTaint(CloudTaints.uninitialized) == false })
                let node = try #require(try await h.node("metal-1"))
                #expect(node.spec.providerID == "vultr://\(server.id)")
                #expect(node.metadata.labels[Node.Labels.instanceType] == "vbm-8c-132gb")
                let looked = try await bareMetals.instance(id: server.id)
                let vpcAddress = try #require(looked.privateIPv4, "the server's VPC address")
                #expect(NodeAddresses.pairs(node.status.addresses) == [
                    ["Hostname", "metal-1"], ["InternalIP", vpcAddress], ["ExternalIP", server.publicIPv4 ?? ""],
                    ["ExternalIP", server.publicIPv6 ?? ""],
                ])
            }
        }
    }

    @Test func aNotReadyBareMetalNodeIsNeverShutDownAndGoesWithItsServer() async throws {
        try await NodeHarness.with { h in
            let bareMetals = BareMetals(client: h.cloud)
            let server = try await bareMetals.create(region: "ewr", plan: "vbm-8c-132gb", label: "metal-2")
            let controller = NodeLifecycleController(
                client: h.client, nodes: h.nodes, instances: CachedInstances(backend: h.counting, ttl: .milliseconds(1)),
                bareMetals: bareMetals,
                recorder: EventRecorder(client: h.client, component: NodeLifecycleController.component, logger: h.logger),
                period: .milliseconds(100), logger: h.logger)
            try await h.running(controller) {
                try await Self.bareMetalNode(h, "metal-2", ready: false, server: server)
                try await Task.sleep(for: .milliseconds(500))
                let node = try #require(try await h.node("metal-2"), "a bare-metal server the cloud still has keeps its node")
                #expect(!node.hasTaint(CloudTaints.shutdown))
                try await bareMetals.delete(id: server.id)
                #expect(try await eventually { try await h.node("metal-2") == nil }, "deleted once the server is gone")
            }
        }
    }
}
