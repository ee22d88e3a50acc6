import CloudAPI
import Kubernetes

/// Finds the instance behind a node: by `spec.providerID` when it names one of ours, else by the
/// instance whose label equals the node name. Goes through whatever ``Instances`` it is given
/// (the process shares one `CachedInstances`, so a sync period costs one list, not one call per
/// node). Nodes labelled `vultr.com/baremetal: "true"` are looked up among the bare-metal
/// servers instead, when those are given.
public struct InstanceLocator: Sendable {
    public let instances: any Instances
    public let bareMetals: (any Instances)?

    public init(instances: any Instances, bareMetals: (any Instances)? = nil) {
        self.instances = instances
        self.bareMetals = bareMetals
    }

    /// Where the node's machine is looked up: bare-metal servers for labelled nodes, else instances.
    public func machines(for node: Node) -> any Instances {
        node.isBareMetal ? bareMetals ?? instances : instances
    }

    /// The node's instance; nil when the cloud answered and has none (a 404 for the provider ID,
    /// or no instance with the node's name in a successful list). Any other failure throws: the
    /// caller must not read it as "gone".
    public func instance(for node: Node) async throws -> Instance? {
        let machines = machines(for: node)
        if let id = node.instanceID {
            do {
                return try await machines.instance(id: id)
            } catch let error as CloudError where error.code == .notFound {
                return nil
            }
        }
        return try await machines.instances().first { $0.label == node.name }
    }
}
