import Kubernetes
import KubernetesTestSupport
import Testing

@Suite struct WatchTests {
    @Test func watchDeliversEventsAndBookmarks() async throws {
        try await withAPIServer { server, client in
            let list = try await client.list(Node.self)
            let stream = try await client.watch(Node.self, options: ListOptions(resourceVersion: list.resourceVersion))
            var iterator = stream.makeAsyncIterator()
            _ = try await client.create(makeNode("a"))
            guard case .added(let added)? = try await iterator.next() else {
                Issue.record("expected ADDED")
                return
            }
            #expect(added.name == "a")
            _ = try await client.patch(Node.self, name: "a", patch: ["metadata": ["labels": ["x": "1"]]])
            guard case .modified(let modified)? = try await iterator.next() else {
                Issue.record("expected MODIFIED")
                return
            }
            #expect(modified.metadata.labels["x"] == "1")
            server.sendBookmarks()
            guard case .bookmark(let version)? = try await iterator.next() else {
                Issue.record("expected BOOKMARK")
                return
            }
            #expect(version == String(server.resourceVersion))
            try await client.delete(Node.self, name: "a")
            guard case .deleted(let deleted)? = try await iterator.next() else {
                Issue.record("expected DELETED")
                return
            }
            #expect(deleted.name == "a")
            server.dropWatches()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func watchFromCompactedVersionIsGone() async throws {
        try await withAPIServer { server, client in
            let list = try await client.list(Node.self)
            _ = try await client.create(makeNode("a"))
            server.compact()
            let stream = try await client.watch(Node.self, options: ListOptions(resourceVersion: list.resourceVersion))
            await #expect {
                for try await _ in stream {}
            } throws: { $0.isKubernetesError(.gone) }
        }
    }

    @Test func watchReplaysHistoryAfterVersion() async throws {
        try await withAPIServer { server, client in
            let first = try await client.create(makeNode("a"))
            _ = try await client.create(makeNode("b"))
            _ = try await client.create(makeService("s"))
            let stream = try await client.watch(
                Node.self, options: ListOptions(resourceVersion: first.metadata.resourceVersion))
            var iterator = stream.makeAsyncIterator()
            guard case .added(let replayed)? = try await iterator.next() else {
                Issue.record("expected replayed ADDED")
                return
            }
            #expect(replayed.name == "b")
        }
    }
}
