import CloudAPI
import Kubernetes

/// The `status.addresses` a node gets from its instance: Hostname (the node name), InternalIP
/// (`internal_ip`, else `main_ip`), ExternalIP (`main_ip`) and ExternalIP (`v6_main_ip`).
///
/// With `alpha.kubernetes.io/provided-node-ip` the given address must be one of the instance's;
/// it is then listed first among the addresses of each type it appears as (the kubelet takes
/// the first InternalIP as the node IP).
public enum NodeAddresses {
    public static func desired(for instance: Instance, node: Node) throws(CloudControllerError) -> [NodeAddress] {
        var addresses = [NodeAddress(type: "Hostname", address: node.name)]
        if let privateAddress = nonEmpty(instance.privateIPv4) ?? nonEmpty(instance.publicIPv4) {
            addresses.append(NodeAddress(type: "InternalIP", address: privateAddress))
        }
        if let external = nonEmpty(instance.publicIPv4) {
            addresses.append(NodeAddress(type: "ExternalIP", address: external))
        }
        if let external6 = nonEmpty(instance.publicIPv6) {
            addresses.append(NodeAddress(type: "ExternalIP", address: external6))
        }
        guard let provided = node.metadata.annotations[Node.providedNodeIPAnnotation].flatMap(nonEmpty) else {
            return addresses
        }
        guard IPNetwork(parsing: provided)?.prefixLength == (provided.contains(":") ? 128 : 32) else {
            throw CloudControllerError(
                code: .invalidProvidedNodeIP,
                message: "\(Node.providedNodeIPAnnotation) \"\(provided)\" is not an IP address")
        }
        let matches = addresses.filter { $0.type != "Hostname" && IPNetwork.sameAddress($0.address ?? "", provided) }
        guard !matches.isEmpty else {
            let known = addresses.filter { $0.type != "Hostname" }.compactMap(\.address)
            throw CloudControllerError(
                code: .invalidProvidedNodeIP,
                message: "\(Node.providedNodeIPAnnotation) \(provided) is not an address of instance \(instance.id) "
                    + "(\(known.joined(separator: ", ")))")
        }
        let typesWithIt = Set(matches.compactMap(\.type))
        // Each type that has it keeps its place in the list, with the provided address first.
        var result: [NodeAddress] = []
        var reordered: Set<String> = []
        for address in addresses {
            guard let type = address.type, typesWithIt.contains(type) else {
                result.append(address)
                continue
            }
            guard reordered.insert(type).inserted else { continue }
            let ofType = addresses.filter { $0.type == type }
            let isProvided = { (a: NodeAddress) in IPNetwork.sameAddress(a.address ?? "", provided) }
            result += ofType.filter(isProvided) + ofType.filter { !isProvided($0) }
        }
        return result
    }

    /// The list as `(type, address)` pairs, for comparing what a node has with what it should have.
    public static func pairs(_ addresses: [NodeAddress]) -> [[String]] {
        addresses.map { [$0.type ?? "", $0.address ?? ""] }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
