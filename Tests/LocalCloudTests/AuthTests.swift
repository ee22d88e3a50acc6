import Testing

@Suite struct AuthTests {
    @Test func missingOrWrongKeyIs401WithErrorBody() async throws {
        try await TestServer.with { t in
            for key in [nil, "wrong-key", TestServer.key + "x", ""] as [String?] {
                let r = try await t.call(.GET, "/v2/blocks", key: key)
                #expect(r.status == 401)
                #expect(r.errorMessage != nil)
            }
            #expect(try await t.call(.GET, "/v2/blocks").status == 200)
        }
    }

    @Test func healthAndMetadataNeedNoKeyButMetadataNeedsAKnownInstance() async throws {
        try await TestServer.with { t in
            #expect(try await t.call(.GET, "/healthz", key: nil).status == 200)
            #expect(try await t.call(.GET, "/v1.json", key: nil).status == 404)
            let id = try await t.createInstance(region: "ams")
            let doc = try await t.call(.GET, "/v1.json?instance_id=\(id)", key: nil)
            #expect(doc.status == 200)
            #expect(doc.json["instanceid"] as? String == id)
            #expect((doc.json["region"] as? [String: Any])?["regioncode"] as? String == "AMS")
        }
    }

    @Test func unknownEndpointsAndMethods() async throws {
        try await TestServer.with { (t: TestServer) async throws in
            #expect(try await t.call(.GET, "/v2/nothing").status == 404)
            #expect(try await t.call(.PUT, "/v2/blocks").status == 405)
            #expect(try await t.call(.DELETE, "/v2/regions").status == 405)
        }
    }
}
