import Foundation
import Testing

@Suite struct BlockTests {
    @Test func createStartsPendingThenTurnsActive() async throws {
        try await TestServer.with { t in
            let r = try await t.call(.POST, "/v2/blocks", body: ["region": "ewr", "size_gb": 10, "label": "a", "block_type": "high_perf"])
            #expect(r.status == 202)
            let block = try #require(r.json["block"] as? [String: Any])
            #expect(block["status"] as? String == "pending")
            #expect(block["size_gb"] as? Int == 10)
            #expect(block["attached_to_instance"] as? String == "")
            #expect((block["mount_id"] as? String)?.hasPrefix("ewr-") == true)
            let id = try #require(block["id"] as? String)
            try await Task.sleep(for: .milliseconds(150))
            let got = try await t.call(.GET, "/v2/blocks/\(id)")
            #expect((got.json["block"] as? [String: Any])?["status"] as? String == "active")
        }
    }

    @Test func invalidBodiesAre400WithAMessage() async throws {
        try await TestServer.with { t in
            let cases: [Any] = [
                "not json", "[1,2]", ["region": "ewr"], ["region": "nowhere", "size_gb": 10],
                ["region": "ewr", "size_gb": "ten"], ["region": "ewr", "size_gb": 10.5], ["region": "ewr", "size_gb": 5],
                ["region": "ewr", "size_gb": 10, "block_type": "ssd"], ["region": "ewr", "size_gb": 20, "block_type": "storage_opt"],
            ]
            for body in cases {
                let r = try await t.call(.POST, "/v2/blocks", body: body)
                #expect(r.status == 400, "\(body)")
                #expect(r.errorMessage?.isEmpty == false, "\(body)")
            }
            let typed = try await t.call(.POST, "/v2/blocks", body: ["region": "ewr", "size_gb": "ten"])
            #expect(typed.errorMessage?.contains("size_gb") == true)
            #expect(try await t.call(.POST, "/v2/blocks").status == 400)
            let huge = try await t.call(.POST, "/v2/blocks", body: Data(repeating: 0x20, count: 2 << 20))
            #expect(huge.status == 413)
            #expect(huge.errorMessage != nil)
        }
    }

    @Test func unknownIdsAre404() async throws {
        try await TestServer.with { t in
            for (method, path) in [("GET", "/v2/blocks/nope"), ("DELETE", "/v2/blocks/nope"), ("GET", "/v2/instances/nope"),
                                   ("GET", "/v2/blocks/snapshots/nope"), ("GET", "/v2/load-balancers/nope"), ("DELETE", "/v2/routes/nope")] {
                let r = try await t.call(.init(rawValue: method), path)
                #expect(r.status == 404, "\(method) \(path)")
                #expect(r.errorMessage != nil)
            }
            let block = try await t.createActiveBlock()
            #expect(try await t.call(.POST, "/v2/blocks/\(block)/attach", body: ["instance_id": "ghost"]).status == 404)
        }
    }

    @Test func attachRulesLimitAndDetach() async throws {
        try await TestServer.with({ $0.attachLimit = 2 }) { t in
            let a = try await t.createInstance()
            let b = try await t.createInstance()
            let v1 = try await t.createActiveBlock()
            let v2 = try await t.createActiveBlock()
            let v3 = try await t.createActiveBlock()
            #expect(try await t.call(.POST, "/v2/blocks/\(v1)/attach", body: ["instance_id": a, "live": true]).status == 204)
            #expect((try await t.call(.GET, "/v2/blocks/\(v1)").json["block"] as? [String: Any])?["attached_to_instance"] as? String == a)
            // Attached elsewhere, or already here: refused.
            #expect(try await t.call(.POST, "/v2/blocks/\(v1)/attach", body: ["instance_id": b]).status == 409)
            #expect(try await t.call(.POST, "/v2/blocks/\(v1)/attach", body: ["instance_id": a]).status == 409)
            // Deleting an attached block is refused.
            #expect(try await t.call(.DELETE, "/v2/blocks/\(v1)").status == 409)
            #expect(try await t.call(.POST, "/v2/blocks/\(v2)/attach", body: ["instance_id": a]).status == 204)
            let limited = try await t.call(.POST, "/v2/blocks/\(v3)/attach", body: ["instance_id": a])
            #expect(limited.status == 409)
            #expect(limited.errorMessage?.contains("maximum") == true)
            #expect(try await t.call(.POST, "/v2/blocks/\(v3)/attach", body: ["instance_id": b]).status == 204)
            #expect(try await t.call(.POST, "/v2/blocks/\(v1)/detach", body: ["live": true]).status == 204)
            #expect(try await t.call(.POST, "/v2/blocks/\(v1)/detach").status == 409)
            #expect(try await t.call(.DELETE, "/v2/blocks/\(v1)").status == 204)
            #expect(try await t.call(.GET, "/v2/blocks/\(v1)").status == 404)
        }
    }

    @Test func resizeGrowsOnly() async throws {
        try await TestServer.with { t in
            let id = try await t.createActiveBlock(size: 20)
            #expect(try await t.call(.PATCH, "/v2/blocks/\(id)", body: ["size_gb": 30]).status == 204)
            #expect((try await t.call(.GET, "/v2/blocks/\(id)").json["block"] as? [String: Any])?["size_gb"] as? Int == 30)
            #expect(try await t.call(.PATCH, "/v2/blocks/\(id)", body: ["size_gb": 25]).status == 400)
            #expect(try await t.call(.PATCH, "/v2/blocks/\(id)", body: ["size_gb": 30]).status == 204)
            #expect(try await t.call(.PATCH, "/v2/blocks/\(id)", body: [:] as [String: Int]).status == 400)
        }
    }

    @Test func paginationWalksEveryPage() async throws {
        try await TestServer.with { t in
            var created: [String] = []
            for _ in 0..<7 { created.append(try await t.createInstance()) }
            var seen: [String] = []
            var cursor = ""
            var pages = 0
            repeat {
                let r = try await t.call(.GET, "/v2/instances?per_page=3" + (cursor.isEmpty ? "" : "&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
                #expect(r.status == 200)
                let items = try #require(r.json["instances"] as? [[String: Any]])
                seen += items.compactMap { $0["id"] as? String }
                let meta = try #require(r.json["meta"] as? [String: Any])
                #expect(meta["total"] as? Int == 7)
                cursor = (meta["links"] as? [String: Any])?["next"] as? String ?? ""
                pages += 1
            } while !cursor.isEmpty && pages < 10
            #expect(pages == 3)
            #expect(seen == created)
            #expect(try await t.call(.GET, "/v2/instances?cursor=garbage").status == 400)
            #expect(try await t.call(.GET, "/v2/instances?per_page=0").status == 400)
            #expect(try await t.call(.GET, "/v2/instances?per_page=501").status == 400)
        }
    }

    @Test func restartKeepsState() async throws {
        let first = try await TestServer.start()
        let instance = try await first.createInstance()
        let block = try await first.createActiveBlock()
        #expect(try await first.call(.POST, "/v2/blocks/\(block)/attach", body: ["instance_id": instance]).status == 204)
        await first.stop(removeData: false)
        let second = try await TestServer.start(dataDirectory: first.dataDirectory)
        let got = try await second.call(.GET, "/v2/blocks/\(block)")
        #expect((got.json["block"] as? [String: Any])?["attached_to_instance"] as? String == instance)
        #expect(try await second.call(.GET, "/v2/instances/\(instance)").status == 200)
        // New instances get fresh addresses, not the first run's again.
        let other = try await second.createInstance()
        let ips = try await [instance, other].asyncMap { try await second.call(.GET, "/v2/instances/\($0)").json["instance"] as? [String: Any] }
        #expect(ips[0]?["main_ip"] as? String != ips[1]?["main_ip"] as? String)
        await second.stop()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
