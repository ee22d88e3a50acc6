import Kubernetes
import KubernetesTestSupport
import Testing

@Suite struct EventRecorderTests {
    func events(_ client: KubernetesClient) async throws -> [Event] {
        try await client.listAll(Event.self).items
    }

    @Test func repeatsIncrementCountInsteadOfCreating() async throws {
        try await withAPIServer { server, client in
            let recorder = EventRecorder(client: client, component: "cloud-node-controller", host: "cp-1", logger: testLogger)
            let node = try await client.create(makeNode("n1"))
            await recorder.record(.normal, reason: "Synced", message: "Node synced successfully", about: node)
            await recorder.record(.normal, reason: "Synced", message: "Node synced successfully", about: node)
            await recorder.record(.normal, reason: "Synced", message: "Node synced successfully", about: node)
            await recorder.record(.warning, reason: "SyncFailed", message: "instance not found", about: node)
            let stored = try await events(client)
            #expect(stored.count == 2)
            let synced = try #require(stored.first { $0.reason == "Synced" })
            #expect(synced.count == 3)
            #expect(synced.type == "Normal")
            #expect(synced.metadata.namespace == "default")
            #expect(synced.involvedObject.kind == "Node")
            #expect(synced.involvedObject.name == "n1")
            #expect(synced.involvedObject.uid == node.metadata.uid)
            #expect(synced.sourceComponent == "cloud-node-controller")
            #expect(synced.sourceHost == "cp-1")
            #expect(synced.firstTimestamp != nil && synced.lastTimestamp != nil)
            #expect(stored.first { $0.reason == "SyncFailed" }?.type == "Warning")
        }
    }

    @Test func deletedEventIsRecreated() async throws {
        try await withAPIServer { server, client in
            let recorder = EventRecorder(client: client, component: "ccm", logger: testLogger)
            let service = try await client.create(makeService("web", namespace: "shop"))
            await recorder.record(.normal, reason: "EnsuringLoadBalancer", message: "Ensuring load balancer", about: service)
            let first = try #require(try await events(client).first)
            #expect(first.metadata.namespace == "shop")
            try await client.delete(Event.self, name: first.name, namespace: "shop")
            await recorder.record(.normal, reason: "EnsuringLoadBalancer", message: "Ensuring load balancer", about: service)
            let again = try await events(client)
            #expect(again.count == 1)
            #expect(again.first?.count == 1)
        }
    }

    @Test func similarEventsAreCombined() async throws {
        try await withAPIServer { server, client in
            let recorder = EventRecorder(client: client, component: "ccm", similarEventLimit: 3, logger: testLogger)
            let service = try await client.create(makeService("web"))
            for attempt in 0..<6 {
                await recorder.record(.warning, reason: "SyncLoadBalancerFailed", message: "attempt \(attempt) failed", about: service)
            }
            let stored = try await events(client)
            // Three distinct events, then one combined event counted three times.
            #expect(stored.count == 4)
            let combined = try #require(stored.first { $0.message?.hasPrefix("(combined from similar events): ") == true })
            #expect(combined.count == 3)
            #expect(combined.message == "(combined from similar events): attempt 5 failed")
        }
    }
}
