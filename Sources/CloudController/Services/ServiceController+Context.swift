import Kubernetes
import ServiceLifecycle

extension ServiceController {
    /// The controller as `cloud-controller-manager` runs it: with its own Service informer (nodes
    /// come from the shared informer in `context`, which the executable runs), settings from the
    /// command line, and events as `service-controller`.
    ///
    /// No Secret informer: watching every TLS Secret in the cluster would need list/watch on all
    /// Secrets. A rotated certificate is applied at the next `--lb-resync-period` instead (the
    /// controller reads the one Secret a Service names with `get`).
    public static func running(in context: ControllerContext) -> any ServiceLifecycle.Service {
        let services = Informer<Kubernetes.Service>(client: context.client, logger: context.logger)
        let configuration = ServiceControllerConfiguration(
            workers: max(1, context.options.concurrentServiceSyncs),
            lbResyncPeriod: context.options.loadBalancerResyncPeriod,
            region: context.options.region, clusterName: context.options.clusterName)
        let controller = ServiceController(
            client: context.client, services: services, nodes: context.nodes, cloud: context.loadBalancers,
            recorder: context.recorder(component: "service-controller"), configuration: configuration,
            logger: context.logger)
        return InformerAndController(informer: services, controller: controller)
    }
}

/// Runs a controller together with the informer only it uses; either ending ends both.
private struct InformerAndController: ServiceLifecycle.Service {
    let informer: Informer<Kubernetes.Service>
    let controller: ServiceController

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            group.addTask { try await controller.run() }
            try await group.next()
            group.cancelAll()
        }
    }
}
