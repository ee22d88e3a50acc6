import Kubernetes
import KubernetesTestSupport
import Testing

/// The stand-in server's own wire behaviour, beyond what the client tests exercise.
@Suite struct TestAPIServerTests {
    @Test func strategicMergeDirectives() async throws {
        try await withAPIServer { server, client in
            var node = makeNode("n1")
            node.status.conditions = [
                NodeCondition(type: "Ready", status: "True"), NodeCondition(type: "NetworkUnavailable", status: "True"),
            ]
            node.metadata.finalizers = ["a", "b", "c"]
            _ = try await client.create(node)
            let patched = try await client.patch(
                Node.self, name: "n1",
                patch: [
                    "status": ["conditions": [["type": "NetworkUnavailable", "$patch": "delete"]]],
                ], type: .strategicMerge, subresource: "status")
            #expect(patched.status.conditions.compactMap(\.type) == ["Ready"])
            let trimmed = try await client.patch(
                Node.self, name: "n1", patch: ["metadata": ["$deleteFromPrimitiveList/finalizers": ["b"]]],
                type: .strategicMerge)
            #expect(trimmed.metadata.finalizers == ["a", "c"])
            let replaced = try await client.patch(
                Node.self, name: "n1",
                patch: ["status": ["addresses": [["type": "InternalIP", "address": "10.0.0.1"], ["$patch": "replace"]]]],
                type: .strategicMerge, subresource: "status")
            #expect(replaced.status.addresses.map(\.address) == ["10.0.0.1"])
        }
    }

    @Test func jsonPatch() async throws {
        try await withAPIServer { server, client in
            var node = makeNode("n1")
            node.spec.taints = [Taint(key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule")]
            node.metadata.labels = ["a/b": "1"]
            _ = try await client.create(node)
            let patched = try await client.patch(
                Node.self, name: "n1",
                patch: [
                    ["op": "test", "path": "/spec/taints/0/key", "value": "node.cloudprovider.kubernetes.io/uninitialized"],
                    ["op": "remove", "path": "/spec/taints/0"],
                    ["op": "add", "path": "/spec/providerID", "value": "vultr://1"],
                    ["op": "replace", "path": "/metadata/labels/a~1b", "value": "2"],
                    ["op": "copy", "from": "/spec/providerID", "path": "/metadata/labels/copied"],
                ], type: .json)
            #expect(patched.spec.taints.isEmpty)
            #expect(patched.spec.providerID == "vultr://1")
            #expect(patched.metadata.labels == ["a/b": "2", "copied": "vultr://1"])
            // A failed test operation rejects the whole patch.
            await #expect {
                try await client.patch(
                    Node.self, name: "n1",
                    patch: [["op": "test", "path": "/spec/providerID", "value": "other"], ["op": "remove", "path": "/spec"]],
                    type: .json)
            } throws: { $0.isKubernetesError(.invalid) }
            #expect(try await client.get(Node.self, name: "n1").spec.providerID == "vultr://1")
        }
    }

    @Test func fieldSelectorAndNamespaces() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeService("a", namespace: "one"))
            _ = try await client.create(makeService("a", namespace: "two"))
            _ = try await client.create(makeService("b", namespace: "two"))
            #expect(try await client.list(Service.self).items.count == 3)
            #expect(try await client.list(Service.self, namespace: "two").items.count == 2)
            let named = try await client.list(Service.self, options: ListOptions(fieldSelector: "metadata.name=a"))
            #expect(Set(named.items.compactMap(\.namespace)) == ["one", "two"])
        }
    }

    @Test func watchTimeoutEndsTheStreamCleanly() async throws {
        try await withAPIServer { server, client in
            let started = ContinuousClock.now
            let stream = try await client.watch(Node.self, options: ListOptions(resourceVersion: "0", timeoutSeconds: 1))
            var events = 0
            for try await _ in stream { events += 1 }
            #expect(events == 0)
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    @Test func noOpUpdateKeepsResourceVersion() async throws {
        try await withAPIServer { server, client in
            let created = try await client.create(makeNode("n1"))
            let again = try await client.update(created)
            #expect(again.metadata.resourceVersion == created.metadata.resourceVersion)
            var changed = again
            changed.spec.unschedulable = true
            let updated = try await client.update(changed)
            #expect(updated.metadata.generation == 2)
            #expect(updated.metadata.uid == created.metadata.uid)
        }
    }
}
