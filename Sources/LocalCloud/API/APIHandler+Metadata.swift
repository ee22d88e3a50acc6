import GRDB

extension APIHandler {
    /// The document Vultr's metadata service serves at `/v1.json`, in the shape its clients
    /// (vultr/metadata, read by vultr-csi and vultr-cloud-controller-manager) decode.
    private struct MetadataDocument: Encodable {
        struct Region: Encodable {
            var regioncode: String
        }
        struct IPv4: Encodable {
            var address: String
            var netmask: String
        }
        struct IPv6: Encodable {
            var address: String
            var network: String
            var prefix: String
        }
        struct Interface: Encodable {
            var ipv4: IPv4
            var ipv6: IPv6?
            var mac: String
            var networkV2Id: String?
            var networkType: String
            enum CodingKeys: String, CodingKey {
                case ipv4, ipv6, mac
                case networkV2Id = "network-v2-id"
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
        let netmask = instance.netmaskV4 ?? publicPool.netmask
        let publicMAC = instance.macAddress ?? InstanceNetwork.mac(0)
        let v6 = instance.v6MainIp.isEmpty
            ? nil
            : MetadataDocument.IPv6(
                address: instance.v6MainIp, network: instance.v6Network ?? "",
                prefix: String(instance.v6NetworkSize ?? InstanceNetwork.v6PrefixLength))
        let document = MetadataDocument(
            hostname: instance.hostname, instanceid: instance.id, instanceV2Id: instance.id,
            region: .init(regioncode: instance.region.uppercased()),
            interfaces: [
                .init(ipv4: .init(address: instance.mainIp, netmask: netmask), ipv6: v6, mac: publicMAC,
                      networkV2Id: nil, networkType: "public"),
                .init(ipv4: .init(address: instance.internalIp, netmask: privatePool.netmask), ipv6: nil,
                      mac: InstanceNetwork.privateMAC(of: publicMAC),
                      networkV2Id: instance.vpcId ?? InstanceNetwork.defaultVPC(region: instance.region),
                      networkType: "private"),
            ],
            tags: instance.tags)
        return .json(document)
    }
}
