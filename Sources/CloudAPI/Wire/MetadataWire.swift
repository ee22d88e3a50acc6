/// The metadata document (`/v1.json`) as the service sends it; its keys use dashes.
struct MetadataWire: Decodable {
    struct Region: Decodable {
        var regioncode: String?
    }
    struct Interface: Decodable {
        struct IPv4: Decodable {
            var address: String?
        }
        var ipv4: IPv4?
        var networkType: String?
        enum CodingKeys: String, CodingKey {
            case ipv4
            case networkType = "network-type"
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
        func address(_ type: String) -> String? {
            interfaces?.first { $0.networkType == type }?.ipv4?.address.flatMap { $0.isEmpty ? nil : $0 }
        }
        return InstanceMetadata(
            instanceID: id, region: region.lowercased(), hostname: hostname ?? "", publicIPv4: address("public"),
            privateIPv4: address("private"))
    }
}
