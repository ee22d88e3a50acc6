import CloudAPI
import Kubernetes
import Logging
import ServiceLifecycle

/// Every `--node-monitor-period`, looks at not-Ready nodes: one whose instance the cloud
/// confirms gone (a 404, never an error or timeout) is deleted with a `DeletingNode` event; one
/// whose instance is powered off gets the shutdown taint. Ready nodes lose the shutdown taint.
/// Ready nodes cost no cloud call; not-Ready ones share the instance cache's one list. Nodes
/// labelled `vultr.com/baremetal: "true"` are checked against the bare-metal servers, which the
/// API reports no power state for: such a node is deleted when its server is gone, never
/// tainted as shut down.
public final class NodeLifecycleController: ServiceLifecycle.Service, Sendable {
    public static let name = "cloud-node-lifecycle"
    public static let component = "cloud-node-lifecycle-controller"

    private let client: KubernetesClient
    private let nodes: Informer<Node>
    private let instances: any Instances
    private let bareMetals: (any Instances)?
    private let recorder: EventRecorder
    private let period: Duration
    private let logger: Logger

    public convenience init(context: ControllerContext) {
        self.init(
            client: context.client, nodes: context.nodes, instances: context.instances, bareMetals: context.bareMetals,
            recorder: context.recorder(component: Self.component), period: context.options.nodeMonitorPeriod,
            logger: context.logger)
    }

    public init(
        client: KubernetesClient, nodes: Informer<Node>, instances: any Instances, bareMetals: (any Instances)? = nil,
        recorder: EventRecorder, period: Duration, logger: Logger
    ) {
        self.client = client
        self.nodes = nodes
        self.instances = instances
        self.bareMetals = bareMetals
        self.recorder = recorder
        self.period = period
        self.logger = logger.controller(Self.name)
    }

    public func run() async throws {
        await runPeriodically(every: period, after: nodes) { await self.monitor() }
    }

    /// One pass over every cached node.
    public func monitor() async {
        for node in nodes.cache.list() {
            if Task.isCancelled { return }
            do {
                try await check(node)
            } catch {
                logger.info("node check failed; next period tries again", metadata: ["node.name": "\(node.name)", "error": "\(error)"])
            }
        }
    }

    private func check(_ node: Node) async throws {
        let shutdownTainted = node.hasTaint(CloudTaints.shutdown)
        if node.isReady {
            if shutdownTainted { try await setShutdownTaint(false, on: node) }
            return
        }
        // Nodes without our provider ID are not initialized yet: nothing to confirm against.
        guard let id = node.instanceID, node.metadata.deletionTimestamp == nil else { return }
        let instance: Instance
        do {
            instance = try await InstanceLocator(instances: instances, bareMetals: bareMetals).machines(for: node).instance(id: id)
        } catch let error as CloudError where error.code == .notFound {
            logger.notice("deleting node: its instance is gone", metadata: ["node.name": "\(node.name)", "instance.id": "\(id)"])
            await recorder.record(
                .normal, reason: "DeletingNode",
                message: "Deleting node \(node.name) because it does not exist in the cloud provider", about: node)
            do {
                try await client.delete(Node.self, name: node.name, options: DeleteOptions(preconditionUID: node.metadata.uid))
            } catch let error as KubernetesError where error.code == .notFound {
                return
            }
            return
        }
        // Any other error propagates: the node stays, whatever the cloud's trouble.
        if instance.power == .stopped && !shutdownTainted && !node.isBareMetal {
            try await setShutdownTaint(true, on: node)
        }
    }

    private func setShutdownTaint(_ present: Bool, on node: Node) async throws {
        _ = try await client.modify(Node.self, name: node.name) { node in
            let has = node.hasTaint(CloudTaints.shutdown)
            guard has != present else { return false }
            if present {
                node.spec.taints.append(CloudTaints.shutdownTaint)
            } else {
                node.spec.taints.removeAll { $0.key == CloudTaints.shutdown }
            }
            return true
        }
        logger.info(
            present ? "instance powered off: shutdown taint added" : "node Ready: shutdown taint removed",
            metadata: ["node.name": "\(node.name)"])
    }
}
