import Testing

@Suite struct ConcurrencyTests {
    @Test func concurrentAttachesNeverExceedTheLimit() async throws {
        try await TestServer.with({ $0.attachLimit = 4 }) { t in
            let instance = try await t.createInstance()
            var blocks: [String] = []
            for _ in 0..<10 { blocks.append(try await t.createActiveBlock()) }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for block in blocks {
                    group.addTask {
                        try await t.call(.POST, "/v2/blocks/\(block)/attach", body: ["instance_id": instance]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 204 }.count == 4)
            #expect(statuses.filter { $0 == 409 }.count == 6)
            let list = try await t.call(.GET, "/v2/blocks")
            let attached = (list.json["blocks"] as? [[String: Any]] ?? []).filter {
                $0["attached_to_instance"] as? String == instance
            }
            #expect(attached.count == 4)
        }
    }

    @Test func concurrentCreatesAllLandWithDistinctAddresses() async throws {
        try await TestServer.with { t in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await t.createInstance() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(ids).count == 20)
            let list = try await t.call(.GET, "/v2/instances?per_page=500")
            let instances = list.json["instances"] as? [[String: Any]] ?? []
            #expect(instances.count == 20)
            #expect(Set(instances.compactMap { $0["main_ip"] as? String }).count == 20)
        }
    }
}
