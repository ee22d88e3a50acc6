import CloudAPI
import Kubernetes

/// Finds the instance behind a node: by `spec.providerID` when it names one of ours, else by the
/// instance whose label equals the node name. Goes through whatever ``Instances`` it is given
/// (the process shares one `CachedInstances`, so a sync period costs one list, not one call per
/// node).
public struct InstanceLocator: Sendable {
    public let instances: any Instances

    public init(instances: any Instances) {
        self.instances = instances
    }

    /// The node's instance; nil when the cloud answered and has none (a 404 for the provider ID,
    /// or no instance with the node's name in a successful list). Any other failure throws: the
    /// caller must not read it as "gone".
    public func instance(for node: Node) async throws -> Instance? {
        if let id = node.instanceID {
            do {
                return try await instances.instance(id: id)
            } catch let error as CloudError where error.code == .notFound {
                return nil
            }
        }
        return try await instances.instances().first { $0.label == node.name }
    }
}
