import CSI

/// Block storage lives in a region and attaches to instances in the same region, so the one
/// topology segment is the region. The key is namespaced by the driver, as CSI topology keys
/// conventionally are: node-driver-registrar copies it onto the Node as a label, and a driver
/// key cannot clobber `topology.kubernetes.io/region`, which belongs to whichever cloud controller
/// manager runs. The controller (CreateVolume) and the node (NodeGetInfo) both use this one key.
public enum RegionTopology {
    public static let key = "topology.block.csi.mooring.dev/region"

    public static func topology(region: String) -> Topology {
        var topology = Topology()
        topology.segments = [key: region]
        return topology
    }

    /// The region to create a volume in: the first preferred, else the first requisite topology
    /// naming a region, else `fallback`. A requirement that names no region (other keys only)
    /// is `INVALID_ARGUMENT`; so is no requirement and no fallback.
    public static func region(for requirement: TopologyRequirement?, fallback: String?) throws(DriverError) -> String {
        if let requirement, !(requirement.preferred.isEmpty && requirement.requisite.isEmpty) {
            for topology in requirement.preferred + requirement.requisite {
                if let region = topology.segments[key], !region.isEmpty { return region }
            }
            let keys = Set((requirement.preferred + requirement.requisite).flatMap(\.segments.keys)).sorted()
            throw .invalidArgument("accessibility_requirements name no \(key) segment (got keys: \(keys.joined(separator: ", ")))")
        }
        guard let fallback else {
            throw .invalidArgument("no accessibility_requirements and no default region (start csi-controller with --region)")
        }
        return fallback
    }

    /// Whether a volume in `region` meets `requirement`'s requisite list (empty list: any region).
    public static func allows(_ region: String, _ requirement: TopologyRequirement?) -> Bool {
        guard let requisite = requirement?.requisite, !requisite.isEmpty else { return true }
        return requisite.contains { $0.segments[key] == region }
    }
}
