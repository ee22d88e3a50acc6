import Kubernetes
import KubernetesTestSupport
import Synchronization
import Testing

/// Records what an informer reported.
final class EventLog<Resource: KubernetesResource>: Sendable {
    let entries = Mutex<[String]>([])

    var handler: ResourceEventHandler<Resource> {
        ResourceEventHandler(
            onAdd: { object in self.entries.withLock { $0.append("add \(object.name)") } },
            onUpdate: { old, new in
                self.entries.withLock { $0.append(old == new ? "resync \(new.name)" : "update \(new.name)") }
            },
            onDelete: { object in self.entries.withLock { $0.append("delete \(object.name)") } })
    }

    func contains(_ entry: String) -> Bool { entries.withLock { $0.contains(entry) } }
    func count(_ entry: String) -> Int { entries.withLock { $0.filter { $0 == entry }.count } }
}

func withInformer<Resource: KubernetesResource>(
    _ type: Resource.Type, client: KubernetesClient, resyncPeriod: Duration? = nil,
    _ body: (Informer<Resource>, EventLog<Resource>) async throws -> Void
) async throws {
    let informer = Informer<Resource>(
        client: client, resyncPeriod: resyncPeriod,
        backoff: ExponentialBackoff(base: .milliseconds(50), maximum: .milliseconds(200)), logger: testLogger)
    let log = EventLog<Resource>()
    informer.addHandler(log.handler)
    let run = Task { try await informer.run() }
    await informer.waitUntilSynced()
    do {
        try await body(informer, log)
    } catch {
        run.cancel()
        throw error
    }
    run.cancel()
    try? await run.value
}

@Suite struct InformerTests {
    @Test func listsThenFollowsChanges() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("a"))
            _ = try await client.create(makeNode("b"))
            try await withInformer(Node.self, client: client) { informer, log in
                #expect(informer.cache.count == 2)
                #expect(await eventually { log.contains("add a") && log.contains("add b") })
                _ = try await client.create(makeNode("c"))
                _ = try await client.patch(Node.self, name: "a", patch: ["spec": ["providerID": "vultr://a"]])
                try await client.delete(Node.self, name: "b")
                #expect(await eventually { log.contains("add c") && log.contains("update a") && log.contains("delete b") })
                #expect(informer.cache.get(name: "a")?.spec.providerID == "vultr://a")
                #expect(informer.cache.get(name: "b") == nil)
                #expect(Set(informer.cache.list().map(\.name)) == ["a", "c"])
            }
        }
    }

    @Test func reconnectsAfterDroppedWatchWithoutRelisting() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("a"))
            try await withInformer(Node.self, client: client) { informer, log in
                #expect(await eventually { server.openWatches == 1 })
                let versionBeforeDrop = server.resourceVersion
                server.dropWatches()
                _ = try await client.create(makeNode("during-drop"))
                #expect(await eventually { informer.cache.get(name: "during-drop") != nil })
                let nodeRequests = server.requests.filter { $0.path == "/api/v1/nodes" && $0.method == "GET" }
                #expect(nodeRequests.filter { !$0.isWatch }.count == 1)
                let rewatch = nodeRequests.filter(\.isWatch).last
                #expect(rewatch?.query["resourceVersion"].flatMap { Int($0) } ?? 0 <= versionBeforeDrop)
                #expect(await eventually { log.count("add during-drop") == 1 })
            }
        }
    }

    @Test func relistsOnGoneAndReportsTheDifference() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("keep"))
            _ = try await client.create(makeNode("remove"))
            _ = try await client.create(makeNode("change"))
            try await withInformer(Node.self, client: client) { informer, log in
                #expect(await eventually { server.openWatches == 1 })
                // Keep the informer off the server while history moves on and is compacted.
                server.inject(InjectedFailure(status: 503, reason: "ServiceUnavailable", onlyWatches: true, count: 1_000))
                server.dropWatches()
                try await client.delete(Node.self, name: "remove")
                _ = try await client.create(makeNode("new"))
                _ = try await client.patch(Node.self, name: "change", patch: ["metadata": ["labels": ["v": "2"]]])
                server.compact()
                server.clearInjectedFailures()
                #expect(await eventually { informer.cache.get(name: "new") != nil && informer.cache.get(name: "remove") == nil })
                #expect(await eventually { log.contains("delete remove") && log.contains("add new") && log.contains("update change") })
                #expect(informer.cache.get(name: "change")?.metadata.labels["v"] == "2")
                #expect(!log.contains("update keep"))
                let lists = server.requests.filter { $0.path == "/api/v1/nodes" && $0.method == "GET" && !$0.isWatch }
                #expect(lists.count == 2)
            }
        }
    }

    @Test func periodicResyncReportsEveryObject() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("a"))
            _ = try await client.create(makeNode("b"))
            try await withInformer(Node.self, client: client, resyncPeriod: .milliseconds(100)) { informer, log in
                #expect(await eventually { log.count("resync a") >= 2 && log.count("resync b") >= 2 })
            }
        }
    }

    @Test func bookmarksMoveTheResumePoint() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("a"))
            try await withInformer(Node.self, client: client) { informer, log in
                #expect(await eventually { server.openWatches == 1 })
                // Other collections move the global resourceVersion; only a bookmark tells the node watch.
                for index in 0..<3 { _ = try await client.create(makeService("s\(index)")) }
                let bookmarked = server.resourceVersion
                // Bookmark, give the informer a moment, drop the watch; repeat until a re-watch
                // resumes from the bookmark (a loaded machine may need more than one round).
                #expect(
                    await eventually(interval: .milliseconds(100)) {
                        server.sendBookmarks()
                        try? await Task.sleep(for: .milliseconds(200))
                        server.dropWatches()
                        try? await Task.sleep(for: .milliseconds(100))
                        return server.requests.contains {
                            $0.isWatch && $0.query["resourceVersion"] == String(bookmarked)
                        }
                    })
            }
        }
    }

    @Test func periodicBookmarksFromServer() async throws {
        try await withAPIServer { server, client in
            server.setBookmarkInterval(.milliseconds(50))
            let list = try await client.list(Node.self)
            _ = try await client.create(makeService("s"))
            let stream = try await client.watch(Node.self, options: ListOptions(resourceVersion: list.resourceVersion))
            for try await event in stream {
                guard case .bookmark(let version) = event else { continue }
                #expect(version == String(server.resourceVersion))
                break
            }
        }
    }

    @Test func transformRunsBeforeCaching() async throws {
        try await withAPIServer { server, client in
            var node = makeNode("a")
            node.metadata.json["managedFields"] = [["manager": "kubelet", "operation": "Update"]]
            _ = try await client.create(node)
            let informer = Informer<Node>(client: client, transform: Informer<Node>.dropManagedFields, logger: testLogger)
            let run = Task { try await informer.run() }
            await informer.waitUntilSynced()
            #expect(informer.cache.get(name: "a")?.metadata.json["managedFields"] == nil)
            #expect(informer.cache.get(name: "a")?.metadata.name == "a")
            var changed = try await client.get(Node.self, name: "a")
            #expect(changed.metadata.json["managedFields"] != nil)
            changed.metadata.labels["x"] = "1"
            _ = try await client.update(changed)
            #expect(await eventually { informer.cache.get(name: "a")?.metadata.labels["x"] == "1" })
            #expect(informer.cache.get(name: "a")?.metadata.json["managedFields"] == nil)
            run.cancel()
            try? await run.value
        }
    }
}
