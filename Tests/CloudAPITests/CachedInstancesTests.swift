import CloudAPI
import Testing

@Suite struct CachedInstancesTests {
    @Test func oneListServesManyLookups() async throws {
        try await Harness.with { h in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await h.newInstance().id) }
            let cache = CachedInstances(backend: h.client, ttl: .seconds(60))
            let lists = h.requests("instances.list")
            let gets = h.requests("instances.get")
            // Many concurrent lookups share one list call.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<40 {
                    let id = ids[round % ids.count]
                    group.addTask {
                        let found = try await cache.instance(id: id)
                        #expect(found.id == id)
                    }
                }
                try await group.waitForAll()
            }
            #expect(h.requests("instances.list") - lists == 1)
            #expect(h.requests("instances.get") - gets == 0)
            // A missing id is confirmed once (404), then answered from the cache.
            for _ in 0..<3 {
                let error = await #expect(throws: CloudError.self) { try await cache.instance(id: "gone") }
                #expect(error?.code == .notFound)
            }
            #expect(h.requests("instances.get") - gets == 1)
            // After invalidation the next lookup lists again.
            await cache.invalidate()
            _ = try await cache.instance(id: ids[0])
            #expect(h.requests("instances.list") - lists == 2)
        }
    }

    @Test func expiresAfterItsTTL() async throws {
        try await Harness.with { h in
            let id = try await h.newInstance().id
            let cache = CachedInstances(backend: h.client, ttl: .seconds(2))
            let lists = h.requests("instances.list")
            _ = try await cache.instance(id: id)
            _ = try await cache.instance(id: id)
            try await Task.sleep(for: .milliseconds(2100))
            _ = try await cache.instance(id: id)
            #expect(h.requests("instances.list") - lists == 2)
            // An instance created after the list is found by a direct lookup.
            let late = try await h.newInstance().id
            #expect(try await cache.instance(id: late).id == late)
        }
    }
}
