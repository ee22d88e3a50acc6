/// The metadata document (`/v1.json`) as the service sends it; its keys use dashes.
struct MetadataWire: Decodable {
    struct Region: Decodable {
        var regioncode: String?
    }
    struct Interface: Decodable {
        struct Address: Decodable {
            var address: String?
        }
        var ipv4: Address?
        var ipv6: Address?
        var networkType: String?
        var networkV2Id: String?
        enum CodingKeys: String, CodingKey {
            case ipv4, ipv6
            case networkType = "network-type"
            case networkV2Id = "network-v2-id"
        }
    }
    var hostname: String?
    var instanceid: String?
    var instanceV2Id: String?
    var region: Region?
    var interfaces: [Interface]?

    enum CodingKeys: String, CodingKey {
        case hostname, instanceid, region, interfaces
        case instanceV2Id = "instance-v2-id"
    }

    /// Nil when the document names no instance or region.
    var metadata: InstanceMetadata? {
        // `instanceid` is the legacy id on Vultr; the v2 API knows the instance by `instance-v2-id`.
        guard let id = instanceV2Id ?? instanceid, !id.isEmpty,
            let region = region?.regioncode, !region.isEmpty
        else { return nil }
        func nonEmpty(_ text: String?) -> String? {
            text.flatMap { $0.isEmpty ? nil : $0 }
        }
        let publicInterface = interfaces?.first { $0.networkType == "public" }
        let privateInterface = interfaces?.first { $0.networkType == "private" }
        // Vultr's own clients take the first interface that names a VPC, whatever its type.
        let vpc = interfaces?.lazy.compactMap { nonEmpty($0.networkV2Id) }.first
        return InstanceMetadata(
            instanceID: id, region: region.lowercased(), hostname: hostname ?? "",
            publicIPv4: nonEmpty(publicInterface?.ipv4?.address), privateIPv4: nonEmpty(privateInterface?.ipv4?.address),
            publicIPv6: nonEmpty(publicInterface?.ipv6?.address), vpcID: vpc)
    }
}
