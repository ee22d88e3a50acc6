import CloudAPI
import Kubernetes
import Logging

/// What every cloud controller is built from: one Kubernetes client, one shared node informer,
/// one shared instance cache and the cloud's other APIs. The executable makes one and hands it
/// to each enabled controller's constructor.
public struct ControllerContext: Sendable {
    public let client: KubernetesClient
    /// Shared by every controller; the executable runs it (once) when any controller is enabled.
    public let nodes: Informer<Node>
    /// The process's one `CachedInstances`: a sync period costs one list call, not one per node.
    public let instances: any Instances
    /// Bare-metal servers, for nodes labelled `vultr.com/baremetal: "true"` (cached like `instances`).
    public let bareMetals: (any Instances)?
    public let routes: any Routes
    public let loadBalancers: any LoadBalancers
    public let options: CloudControllerOptions
    public let logger: Logger

    public init(
        client: KubernetesClient, nodes: Informer<Node>, instances: any Instances, routes: any Routes,
        loadBalancers: any LoadBalancers, options: CloudControllerOptions, logger: Logger, bareMetals: (any Instances)? = nil
    ) {
        self.client = client
        self.nodes = nodes
        self.instances = instances
        self.bareMetals = bareMetals
        self.routes = routes
        self.loadBalancers = loadBalancers
        self.options = options
        self.logger = logger
    }

    /// An event recorder reporting as `component` (e.g. `cloud-node-controller`).
    public func recorder(component: String) -> EventRecorder {
        EventRecorder(client: client, component: component, logger: logger)
    }

    /// `--region`, else the region label of any initialized node (nil when there is none yet).
    public func defaultRegion() -> String? {
        if let region = options.region { return region }
        var found: String?
        nodes.cache.forEach { node in
            if found == nil { found = node.metadata.labels[Node.Labels.region] }
        }
        return found
    }
}
