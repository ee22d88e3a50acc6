import Foundation
import CloudAPI
import Kubernetes

/// The `status.addresses` a node gets from its instance: Hostname (the node name), InternalIP
/// (`internal_ip`, else `main_ip`), ExternalIP (`main_ip`) and ExternalIP (`v6_main_ip`).
///
/// With `alpha.kubernetes.io/provided-node-ip` (one address, or dual-stack `v4,v6`) each given
/// address must be one of the instance's; they are then listed first, in the order given, among
/// the addresses of each type they appear as (the kubelet takes the first address of each family
/// as its node IPs).
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
        guard let annotation = node.metadata.annotations[Node.providedNodeIPAnnotation].flatMap(nonEmpty) else {
            return addresses
        }
        let provided = try parseProvided(annotation)
        for ip in provided where !addresses.contains(where: { $0.type != "Hostname" && IPNetwork.sameAddress($0.address ?? "", ip) }) {
            let known = addresses.filter { $0.type != "Hostname" }.compactMap(\.address)
            throw CloudControllerError(
                code: .invalidProvidedNodeIP,
                message: "\(Node.providedNodeIPAnnotation) \(ip) is not an address of instance \(instance.id) "
                    + "(\(known.joined(separator: ", ")))")
        }
        // The rank of an address: its position among the provided ones, or after them.
        func rank(_ address: NodeAddress) -> Int {
            provided.firstIndex { IPNetwork.sameAddress(address.address ?? "", $0) } ?? provided.count
        }
        // Each type keeps its place in the list, with the provided addresses first, in the order given.
        var result: [NodeAddress] = []
        var placed: Set<String> = []
        for address in addresses {
            guard let type = address.type, type != "Hostname" else {
                result.append(address)
                continue
            }
            guard placed.insert(type).inserted else { continue }
            let ofType = addresses.enumerated().filter { $0.element.type == type }
            result += ofType.sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        }
        return result
    }

    /// `alpha.kubernetes.io/provided-node-ip`: one address, or a dual-stack pair `v4,v6` (either
    /// order) as the kubelet writes for `--node-ip=v4,v6`.
    static func parseProvided(_ annotation: String) throws(CloudControllerError) -> [String] {
        let parts = annotation.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var families: Set<Bool> = []
        for part in parts {
            guard let network = IPNetwork(parsing: part), network.prefixLength == network.bytes.count * 8, !part.contains("/") else {
                throw CloudControllerError(
                    code: .invalidProvidedNodeIP,
                    message: "\(Node.providedNodeIPAnnotation) \"\(annotation)\": \"\(part)\" is not an IP address")
            }
            families.insert(network.isIPv4)
        }
        guard parts.count <= 2, families.count == parts.count else {
            throw CloudControllerError(
                code: .invalidProvidedNodeIP,
                message: "\(Node.providedNodeIPAnnotation) \"\(annotation)\" must be one address or an IPv4 and an IPv6 address separated by a comma")
        }
        return parts
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
