import CloudAPI
import CloudController
import Kubernetes
import LocalCloud
import Testing

/// The cloud node controller against the in-process stand-in and local cloud.
@Suite(.serialized) struct NodeControllerTests {
    func controller(_ h: NodeHarness, addressSyncPeriod: Duration = .seconds(300)) -> CloudNodeController {
        CloudNodeController(
            client: h.client, nodes: h.nodes, instances: CachedInstances(backend: h.counting, ttl: .seconds(1)),
            recorder: EventRecorder(client: h.client, component: CloudNodeController.component, logger: h.logger),
            addressSyncPeriod: addressSyncPeriod, logger: h.logger)
    }

    @Test func initializesATaintedNodeFoundByName() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("worker-1")
            try await h.running(controller(h)) {
                try await h.createNode("worker-1")
                #expect(try await eventually { try await h.node("worker-1")?.hasTaint(CloudTaints.uninitialized) == false })
                let node = try #require(try await h.node("worker-1"))
                #expect(node.spec.providerID == "vultr://\(instance.id)")
                #expect(node.metadata.labels[Node.Labels.region] == "ewr")
                #expect(node.metadata.labels[Node.Labels.regionBeta] == "ewr")
                #expect(node.metadata.labels[Node.Labels.instanceType] == "vc2-1c-1gb")
                #expect(node.metadata.labels[Node.Labels.instanceTypeBeta] == "vc2-1c-1gb")
                #expect(node.metadata.labels[Node.Labels.zone] == nil)
                #expect(NodeAddresses.pairs(node.status.addresses) == [
                    ["Hostname", "worker-1"], ["InternalIP", instance.privateIPv4 ?? ""], ["ExternalIP", instance.publicIPv4 ?? ""],
                    ["ExternalIP", instance.publicIPv6 ?? ""],
                ])
                #expect(instance.publicIPv6?.contains(":") == true)
                #expect(try await eventually { try await !h.events("Synced", about: "worker-1").isEmpty })
                // Two writes besides the event: the addresses, then one patch guarded by the
                // resourceVersion the first returned; no read-modify-update.
                #expect(h.requests("PATCH", "/nodes/worker-1/status") == 1)
                #expect(h.requests("PATCH", "/nodes/worker-1") == 1)
                #expect(h.requests("PUT", "/nodes/worker-1") == 0)
            }
        }
    }

    @Test func keepsAnExistingProviderID() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("labelled-otherwise")
            try await h.running(controller(h)) {
                var node = Node(name: "by-id")
                node.spec.providerID = "vultr:///\(instance.id)"
                node.spec.taints = [Taint(key: CloudTaints.uninitialized, value: "true", effect: "NoSchedule")]
                _ = try await h.client.create(node)
                #expect(try await eventually { try await h.node("by-id")?.hasTaint(CloudTaints.uninitialized) == false })
                #expect(try await h.node("by-id")?.spec.providerID == "vultr:///\(instance.id)")
            }
        }
    }

    @Test func noInstanceMeansWarningAndTheTaintStays() async throws {
        try await NodeHarness.with { h in
            try await h.running(controller(h)) {
                try await h.createNode("nobody")
                #expect(try await eventually { try await !h.events("InstanceNotFound", about: "nobody").isEmpty })
                let events = try await h.events("InstanceNotFound", about: "nobody")
                #expect(events.first?.type == "Warning")
                #expect(try await h.node("nobody")?.hasTaint(CloudTaints.uninitialized) == true)
            }
        }
    }

    @Test func invalidProvidedNodeIPLeavesTheNodeTainted() async throws {
        try await NodeHarness.with { h in
            _ = try await h.newInstance("pinned")
            try await h.running(controller(h)) {
                try await h.createNode("pinned", providedIP: "192.0.2.77")
                #expect(try await eventually { try await !h.events("InvalidNodeIP", about: "pinned").isEmpty })
                let node = try #require(try await h.node("pinned"))
                #expect(node.hasTaint(CloudTaints.uninitialized))
                #expect(node.spec.providerID == nil)
            }
        }
    }

    @Test func validProvidedNodeIPLeadsItsType() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("pinned")
            let main = try #require(instance.publicIPv4)
            try await h.running(controller(h)) {
                try await h.createNode("pinned", providedIP: main)
                #expect(try await eventually { try await h.node("pinned")?.hasTaint(CloudTaints.uninitialized) == false })
                let addresses = try #require(try await h.node("pinned")).status.addresses
                #expect(addresses.first { $0.type == "ExternalIP" }?.address == main)
            }
        }
    }

    @Test func addressesAreResyncedOnlyWhenTheyChange() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("steady")
            try await h.running(controller(h, addressSyncPeriod: .milliseconds(200))) {
                try await h.createNode("steady")
                #expect(try await eventually { try await h.node("steady")?.hasTaint(CloudTaints.uninitialized) == false })
                let patchesAfterInit = h.requests("PATCH", "/nodes/steady/status")
                #expect(patchesAfterInit == 1)
                // Several sync periods with nothing changed: no status write.
                let listsBefore = h.counting.count("instances")
                #expect(await eventually { h.counting.count("instances") >= listsBefore + 3 })
                #expect(h.requests("PATCH", "/nodes/steady/status") == patchesAfterInit)
                // Someone else rewrites the addresses: the next period puts them back, once.
                _ = try await h.client.patch(
                    Node.self, name: "steady", patch: ["status": ["addresses": [["type": "InternalIP", "address": "1.2.3.4"]]]],
                    subresource: "status")
                #expect(try await eventually {
                    try await h.node("steady")?.status.addresses.contains { $0.address == instance.privateIPv4 } == true
                })
                #expect(h.requests("PATCH", "/nodes/steady/status") == patchesAfterInit + 2)
            }
        }
    }
}
