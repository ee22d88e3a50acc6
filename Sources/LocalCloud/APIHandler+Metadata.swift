import GRDB

extension APIHandler {
    private struct MetadataDocument: Encodable {
        struct Region: Encodable {
            var regioncode: String
        }
        struct IPv4: Encodable {
            var address: String
            var netmask: String
        }
        struct Interface: Encodable {
            var ipv4: IPv4
            var networkType: String
            enum CodingKeys: String, CodingKey {
                case ipv4
                case networkType = "network-type"
            }
        }
        var hostname: String
        var instanceid: String
        var instanceV2Id: String
        var region: Region
        var interfaces: [Interface]
        var tags: [String]
        enum CodingKeys: String, CodingKey {
            case hostname, instanceid, region, interfaces, tags
            case instanceV2Id = "instance-v2-id"
        }
    }

    /// The instance metadata document (`/v1.json`): the instance is the one whose address the
    /// request comes from, or the one named by `?instance_id=`.
    func metadata(_ r: APIRequest, _ db: Database) throws -> APIResponse {
        let instance: InstanceRecord
        if let id = r.query["instance_id"] {
            instance = try Store.require(InstanceRecord.self, id: id, db)
        } else if let found = try Store.all(InstanceRecord.self, db).first(where: {
            $0.mainIp == r.sourceAddress || $0.internalIp == r.sourceAddress
        }) {
            instance = found
        } else {
            throw APIFailure(.notFound, "no instance has address \(r.sourceAddress); pass ?instance_id=")
        }
        let document = MetadataDocument(
            hostname: instance.hostname, instanceid: instance.id, instanceV2Id: instance.id,
            region: .init(regioncode: instance.region.uppercased()),
            interfaces: [
                .init(ipv4: .init(address: instance.mainIp, netmask: "255.255.0.0"), networkType: "public"),
                .init(ipv4: .init(address: instance.internalIp, netmask: "255.255.0.0"), networkType: "private"),
            ],
            tags: instance.tags)
        return .json(document)
    }
}
