/// Vultr's bare-metal servers seen as the machines nodes run on, for nodes labelled
/// `vultr.com/baremetal: "true"`: the same ``Instances`` lookups, served from `/v2/bare-metals`.
/// A server's `privateIPv4` is its first VPC 2.0 address (else its first VPC address), as
/// Vultr's CCM reads it; its power is always `running` (the API reports none), so a bare-metal
/// node is never tainted as shut down.
public struct BareMetals: Instances {
    private let client: VultrClient

    public init(client: VultrClient) {
        self.client = client
    }

    public func instance(id: String) async throws -> Instance {
        let wire = try await client.fetch("bare_metals.get", "/v2/bare-metals/\(try client.segment(id, "bare metal"))", as: BareMetalWire.self)
        return wire.instance(vpcAddress: try await vpcAddress(of: wire.id))
    }

    /// Every server, all pages, each with its VPC address (one more call per server).
    public func instances() async throws -> [Instance] {
        var found: [Instance] = []
        for wire in try await client.list("bare_metals.list", "/v2/bare-metals", as: BareMetalWire.self) {
            found.append(wire.instance(vpcAddress: try await vpcAddress(of: wire.id)))
        }
        return found
    }

    private func vpcAddress(of id: String) async throws -> String? {
        let segment = try client.segment(id, "bare metal")
        for path in ["/v2/bare-metals/\(segment)/vpc2", "/v2/bare-metals/\(segment)/vpcs"] {
            let attachments = try await client.list("bare_metals.vpcs", path, as: BareMetalVPCWire.self)
            if let address = attachments.compactMap(\.ipAddress).first(where: { !$0.isEmpty }) { return address }
        }
        return nil
    }
}

extension BareMetals {
    private struct CreateBody: Encodable {
        var region: String
        var plan: String
        var label: String
    }

    /// Orders a bare-metal server (tests and tooling; the controllers only look servers up).
    public func create(region: String, plan: String, label: String) async throws -> Instance {
        let wire = try await client.exchange(
            "bare_metals.create", .POST, "/v2/bare-metals", body: CreateBody(region: region, plan: plan, label: label),
            as: BareMetalWire.self)
        return wire.instance(vpcAddress: nil)
    }

    /// Deletes a bare-metal server (tests and tooling).
    public func delete(id: String) async throws {
        try await client.perform("bare_metals.delete", .DELETE, "/v2/bare-metals/\(try client.segment(id, "bare metal"))")
    }
}
