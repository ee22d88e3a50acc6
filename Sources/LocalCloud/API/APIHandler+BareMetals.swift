import Foundation
import GRDB

extension APIHandler {
    private struct CreateBareMetal: Decodable {
        var region: String?
        var plan: String?
        var label: String?
        var osId: Int?
        var tags: [String]?
    }

    private struct VPCAttachment: Encodable {
        var id: String
        var macAddress: String
        var ipAddress: String
    }

    /// `/v2/bare-metals[/{id}[/vpc2|/vpcs]]`: list, order, look up, delete, and the VPC 2.0
    /// (`/vpc2`) and legacy VPC (`/vpcs`, always empty here) attachments.
    func bareMetals(_ r: APIRequest, _ rest: [String], _ db: Database) throws -> APIResponse {
        switch (r.method, rest.count) {
        case ("GET", 0): return try list(BareMetalRecord.self, key: "bare_metals", r, db)
        case ("POST", 0): return try createBareMetal(r, db)
        case ("GET", 1): return .json(Wrapped("bare_metal", try Store.require(BareMetalRecord.self, id: rest[0], db)))
        case ("DELETE", 1):
            _ = try Store.require(BareMetalRecord.self, id: rest[0], db)
            try Store.delete(BareMetalRecord.self, id: rest[0], db)
            return .noContent()
        case ("GET", 2) where rest[1] == "vpc2" || rest[1] == "vpcs":
            // The server is in its region's VPC 2.0 network; it is in no legacy (1.0) VPC.
            let server = try Store.require(BareMetalRecord.self, id: rest[0], db)
            let attachments = rest[1] == "vpc2"
                ? [VPCAttachment(id: server.vpcId, macAddress: Self.macText(server.macAddress), ipAddress: server.internalIp)] : []
            return .json(ListBody(key: "vpcs", items: attachments, total: attachments.count, next: nil))
        case (_, 0), (_, 1): throw Self.methodNotAllowed(r)
        case (_, 2) where rest[1] == "vpc2" || rest[1] == "vpcs": throw Self.methodNotAllowed(r)
        default: throw Self.noSuchEndpoint(r)
        }
    }

    private func createBareMetal(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let body = try r.decode(CreateBareMetal.self)
        let region = try requireRegion(body.region)
        guard let plan = body.plan, !plan.isEmpty else { throw APIFailure(.badRequest, "missing field 'plan'") }
        // Numbered with the instances: the address pools, IPv6 prefix and region VPCs are shared with them.
        let n = try Store.next("instance", db)
        let taken = try Self.takenAddresses(db)
        let mainIp = try Self.freeAddress(in: publicPool, from: n, taken: taken)
        let internalIp = try Self.freeAddress(in: privatePool, from: n, taken: taken)
        let label = body.label ?? ""
        let server = BareMetalRecord(
            id: Self.newID(), os: "Debian 12 x64 (bookworm)", osId: body.osId ?? 2136, appId: 0, imageId: "",
            ram: "32768 MB", disk: "2x 480 GB SSD", cpuCount: 8, mainIp: mainIp,
            netmaskV4: "255.255.0.0", gatewayV4: "", v6Network: InstanceNetwork.v6Prefix + "::", v6MainIp: Self.freeV6Address(from: n, taken: taken),
            v6NetworkSize: InstanceNetwork.v6PrefixLength, macAddress: 0x5a00_0000_0000 + n, region: region, plan: plan,
            label: label.isEmpty ? "bare-metal-\(n)" : label, dateCreated: Self.timestamp(), status: "pending",
            features: ["ipv6"], tags: body.tags ?? [], userScheme: "root", internalIp: internalIp,
            vpcId: InstanceNetwork.defaultVPC(region: region))
        try Store.insert(server, readyAt: readyAt, db)
        return .json(202, Wrapped("bare_metal", server))
    }

    static func macText(_ value: Int) -> String {
        (0..<6).reversed().map { String(format: "%02x", (value >> ($0 * 8)) & 0xff) }.joined(separator: ":")
    }
}
