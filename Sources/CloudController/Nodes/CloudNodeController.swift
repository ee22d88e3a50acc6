import CloudAPI
import Kubernetes
import Logging
import ServiceLifecycle

/// Initializes nodes the kubelet registered with the uninitialized taint — provider ID, region
/// and instance-type labels, addresses, taint off, `Synced` event — and re-syncs initialized
/// nodes' addresses every `--node-status-update-frequency`. Instance lookups go through the
/// shared instance cache.
public final class CloudNodeController: ServiceLifecycle.Service, Sendable {
    public static let name = "cloud-node"
    public static let component = "cloud-node-controller"

    private let client: KubernetesClient
    private let nodes: Informer<Node>
    private let locator: InstanceLocator
    private let recorder: EventRecorder
    private let addressSyncPeriod: Duration
    private let logger: Logger
    private let worker: Controller<String>

    public convenience init(context: ControllerContext) {
        self.init(
            client: context.client, nodes: context.nodes, instances: context.instances, bareMetals: context.bareMetals,
            recorder: context.recorder(component: Self.component),
            addressSyncPeriod: context.options.nodeStatusUpdateFrequency, logger: context.logger)
    }

    public init(
        client: KubernetesClient, nodes: Informer<Node>, instances: any Instances, bareMetals: (any Instances)? = nil,
        recorder: EventRecorder, addressSyncPeriod: Duration, workers: Int = 1, logger: Logger
    ) {
        self.client = client
        self.nodes = nodes
        self.locator = InstanceLocator(instances: instances, bareMetals: bareMetals)
        self.recorder = recorder
        self.addressSyncPeriod = addressSyncPeriod
        let logger = logger.controller(Self.name)
        self.logger = logger
        let queue = WorkQueue<String>(name: Self.name)
        let locator = self.locator
        self.worker = Controller(name: Self.name, queue: queue, workers: workers, logger: logger) { key in
            try await Self.sync(key, nodes: nodes, locator: locator, client: client, recorder: recorder, logger: logger)
        }
        // New nodes, and changed nodes still waiting for initialization; initialized nodes are
        // looked at again on the address period only (their heartbeats cost nothing).
        nodes.addHandler(
            ResourceEventHandler(
                onAdd: { queue.add($0.key) },
                onUpdate: { _, new in if new.hasTaint(CloudTaints.uninitialized) { queue.add(new.key) } }))
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await self.worker.run() }
                group.addTask {
                    guard await self.nodes.synced() else { return }
                    while (try? await Task.sleep(for: self.addressSyncPeriod)) != nil {
                        for key in self.nodes.cache.keys { self.worker.queue.add(key) }
                    }
                }
            }
        }
    }

    /// One node: initialize it if tainted, else bring its addresses up to date.
    static func sync(
        _ name: String, nodes: Informer<Node>, locator: InstanceLocator, client: KubernetesClient,
        recorder: EventRecorder, logger: Logger
    ) async throws -> ReconcileResult {
        guard let node = nodes.cache.get(name) else { return .done }
        let uninitialized = node.hasTaint(CloudTaints.uninitialized)
        // Initialized nodes that are not ours (another provider, or none) are left alone.
        guard uninitialized || node.instanceID != nil else { return .done }
        guard let instance = try await locator.instance(for: node) else {
            guard uninitialized else { return .done }  // gone: the lifecycle controller's business
            let error = CloudControllerError(
                code: .instanceNotFound,
                message: node.spec.providerID.map { "no instance for provider ID \($0)" }
                    ?? "no instance is labelled \(node.name)")
            await recorder.record(.warning, reason: "InstanceNotFound", message: error.message, about: node)
            throw error
        }
        let addresses: [NodeAddress]
        do {
            addresses = try NodeAddresses.desired(for: instance, node: node)
        } catch {
            await recorder.record(.warning, reason: "InvalidNodeIP", message: error.message, about: node)
            guard uninitialized else { return .done }
            throw error
        }
        // At most two writes: the addresses (replaced whole) on the status, then one patch —
        // guarded by the resourceVersion the first write returned — that sets the provider ID
        // (only if empty) and the labels and takes the taint off last. Only a conflict (someone
        // else changed the node meanwhile) costs a read and another write.
        var current = node
        if NodeAddresses.pairs(node.status.addresses) != NodeAddresses.pairs(addresses) {
            current = try await client.patch(
                Node.self, name: node.name, patch: ["status": ["addresses": addresses.jsonValue]], type: .merge,
                subresource: "status")
            logger.info(
                "node addresses updated",
                metadata: ["node.name": "\(node.name)", "node.addresses": "\(NodeAddresses.pairs(addresses))"])
        }
        guard uninitialized else { return .done }
        @Sendable func initialize(_ node: inout Node) {
            if (node.spec.providerID ?? "").isEmpty { node.spec.providerID = ProviderID(instanceID: instance.id).description }
            var labels = node.metadata.labels
            labels[Node.Labels.region] = instance.region
            labels[Node.Labels.regionBeta] = instance.region
            if !instance.plan.isEmpty {
                labels[Node.Labels.instanceType] = instance.plan
                labels[Node.Labels.instanceTypeBeta] = instance.plan
            }
            node.metadata.labels = labels
            node.spec.taints.removeAll { $0.key == CloudTaints.uninitialized }
        }
        var initialized = current
        initialize(&initialized)
        do {
            _ = try await client.patch(from: current, to: initialized)
        } catch let error as KubernetesError where error.code == .conflict {
            _ = try await client.modify(Node.self, name: node.name) { node in
                initialize(&node)
                return true
            }
        }
        logger.info(
            "node initialized",
            metadata: ["node.name": "\(node.name)", "instance.id": "\(instance.id)", "instance.region": "\(instance.region)"])
        await recorder.record(.normal, reason: "Synced", message: "Node synced successfully", about: node)
        return .done
    }
}
