import Testing

/// `/v2/bare-metals` in the shape govultr's `BareMetalServer` decodes, the VPC attachment lists
/// Vultr's CCM reads, and bare-metal servers as load balancer targets.
@Suite struct BareMetalTests {
    @Test func orderedListedReadAndDeletedWithTheFieldsGovultrDecodes() async throws {
        try await TestServer.with { t in
            let created = try await t.call(.POST, "/v2/bare-metals", body: ["region": "ewr", "plan": "vbm-4c-32gb", "label": "metal"])
            #expect(created.status == 202)
            let server = try #require(created.json["bare_metal"] as? [String: Any])
            let id = try #require(server["id"] as? String)
            #expect(server["label"] as? String == "metal" && server["plan"] as? String == "vbm-4c-32gb")
            #expect(server["mac_address"] is Int, "govultr decodes mac_address as a number")
            #expect(server["cpu_count"] is Int && server["ram"] is String && server["disk"] is String)
            #expect((server["main_ip"] as? String)?.isEmpty == false && (server["v6_main_ip"] as? String)?.contains(":") == true)
            let list = try await t.call(.GET, "/v2/bare-metals")
            #expect((list.json["bare_metals"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect((list.json["meta"] as? [String: Any])?["total"] as? Int == 1)
            let vpc2 = try #require(try await t.call(.GET, "/v2/bare-metals/\(id)/vpc2").json["vpcs"] as? [[String: Any]])
            #expect(vpc2.count == 1 && (vpc2.first?["ip_address"] as? String)?.isEmpty == false)
            #expect((vpc2.first?["mac_address"] as? String)?.split(separator: ":").count == 6)
            #expect((try await t.call(.GET, "/v2/bare-metals/\(id)/vpcs").json["vpcs"] as? [Any])?.isEmpty == true)
            #expect(try await t.call(.PUT, "/v2/bare-metals/\(id)").status == 405)
            #expect(try await t.call(.POST, "/v2/bare-metals", body: ["region": "ewr"]).status == 400)
            #expect(try await t.call(.DELETE, "/v2/bare-metals/\(id)").status == 204)
            #expect(try await t.call(.GET, "/v2/bare-metals/\(id)").status == 404)
        }
    }

    @Test func loadBalancersTargetBareMetalServersAndReportIPv6AndAutoSSL() async throws {
        try await TestServer.with { t in
            let server = try #require(
                try await t.call(.POST, "/v2/bare-metals", body: ["region": "ewr", "plan": "vbm-4c-32gb", "label": "metal"])
                    .json["bare_metal"] as? [String: Any])
            let id = try #require(server["id"] as? String)
            let created = try await t.call(.POST, "/v2/load-balancers", body: [
                "region": "ewr", "instances": [id], "auto_ssl": ["domain_zone": "Example.com", "domain_sub": "shop"],
                "forwarding_rules": [["frontend_protocol": "https", "frontend_port": 443, "backend_protocol": "http", "backend_port": 80]],
            ] as [String: Any])
            #expect(created.status == 202)
            let lb = try #require(created.json["load_balancer"] as? [String: Any])
            #expect(lb["instances"] as? [String] == [id])
            #expect((lb["ipv6"] as? String)?.contains(":") == true)
            #expect(lb["has_ssl"] as? Bool == true)
            #expect(lb["auto_ssl"] as? [String: String] == ["domain_zone": "example.com", "domain_sub": "shop"])
            #expect(!String(decoding: created.body, as: UTF8.self).contains("PRIVATE KEY"))
            #expect(lb["http2"] == nil && (lb["generic_info"] as? [String: Any])?["timeout"] as? Int == 600, "Vultr's default timeout")
            let lbID = try #require(lb["id"] as? String)
            #expect(try await t.call(.PATCH, "/v2/load-balancers/\(lbID)", body: ["http2": true, "timeout": 30]).status == 204)
            let updated = try #require(try await t.call(.GET, "/v2/load-balancers/\(lbID)").json["load_balancer"] as? [String: Any])
            #expect(updated["http2"] as? Bool == true && (updated["generic_info"] as? [String: Any])?["timeout"] as? Int == 30)
            #expect(try await t.call(.PATCH, "/v2/load-balancers/\(lbID)", body: ["timeout": 0]).status == 400)
            let bad = try await t.call(.POST, "/v2/load-balancers", body: [
                "region": "ewr", "auto_ssl": ["domain_sub": "shop"],
                "forwarding_rules": [["frontend_protocol": "tcp", "frontend_port": 80, "backend_protocol": "tcp", "backend_port": 80]],
            ] as [String: Any])
            #expect(bad.status == 400 && bad.errorMessage?.contains("domain_zone") == true)
        }
    }

    /// Instances and bare-metal servers share the address pools: a server never gets an address
    /// another already holds, whichever kind it is and whether the address was asked for or given.
    @Test func bareMetalServersSkipAddressesInstancesHold() async throws {
        try await TestServer.with { t in
            // The first server is number 1: take the addresses the next would get, IPv6 included.
            let nextV6 = "fd6c:6f63:616c:1::2"
            let fixed = try await t.call(.POST, "/v2/instances", body: [
                "region": "ewr", "plan": "vc2-1c-1gb", "main_ip": "127.1.0.2", "internal_ip": "127.2.0.2",
                "v6_main_ip": nextV6])
            #expect(fixed.status == 202)
            let instance = try #require(fixed.json["instance"] as? [String: Any])
            let metal = try #require(try await t.call(.POST, "/v2/bare-metals", body: ["region": "ewr", "plan": "vbm-4c-32gb"])
                .json["bare_metal"] as? [String: Any])
            let metalMain = try #require(metal["main_ip"] as? String)
            let metalInternal = try #require(metal["internal_ip"] as? String)
            #expect(metalMain != "127.1.0.2" && metalInternal != "127.2.0.2", "the instance holds these")
            #expect(instance["v6_main_ip"] as? String == nextV6)
            #expect(metal["v6_main_ip"] as? String != nextV6, "the instance holds this IPv6 address")
            #expect(metalMain.hasPrefix("127.1.") && metalInternal.hasPrefix("127.2."))
            // An instance asking for the bare-metal server's address is refused, naming the holder.
            let clash = try await t.call(.POST, "/v2/instances", body: ["region": "ewr", "plan": "vc2-1c-1gb", "main_ip": metalMain])
            #expect(clash.status == 409)
            #expect(clash.errorMessage?.contains(metal["id"] as? String ?? "?") == true, "\(clash.errorMessage ?? "")")
            // And the next instance from the pool gets neither server's addresses.
            let next = try #require(try await t.call(.POST, "/v2/instances", body: ["region": "ewr", "plan": "vc2-1c-1gb"])
                .json["instance"] as? [String: Any])
            let held: Set = [metalMain, metalInternal, instance["main_ip"] as? String ?? "", instance["internal_ip"] as? String ?? ""]
            #expect(!held.contains(next["main_ip"] as? String ?? "") && !held.contains(next["internal_ip"] as? String ?? ""))
        }
    }
}
