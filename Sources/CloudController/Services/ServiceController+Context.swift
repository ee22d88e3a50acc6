import Kubernetes
import ServiceLifecycle

extension ServiceController {
    /// The controller as `cloud-controller-manager` runs it: with its own Service and ConfigMap
    /// informers (nodes come from the shared informer in `context`, which the executable runs),
    /// settings from the command line, and events as `service-controller`.
    ///
    /// ConfigMaps are watched (list/watch on configmaps) so an edit of a `firewall-rules-cm`
    /// ConfigMap reaches its load balancer at once. No Secret informer: watching every TLS Secret
    /// in the cluster would need list/watch on all Secrets. A rotated certificate is applied at
    /// the next `--lb-resync-period` instead (the controller reads the one Secret a Service names
    /// with `get`).
    public static func running(in context: ControllerContext) -> any ServiceLifecycle.Service {
        let services = Informer<Kubernetes.Service>(client: context.client, logger: context.logger)
        let configMaps = Informer<ConfigMap>(client: context.client, logger: context.logger)
        var configuration = ServiceControllerConfiguration(
            workers: max(1, context.options.concurrentServiceSyncs),
            lbResyncPeriod: context.options.loadBalancerResyncPeriod,
            region: context.options.region, clusterName: context.options.clusterName)
        configuration.instanceVPC = context.options.instanceVPC
        let controller = ServiceController(
            client: context.client, services: services, nodes: context.nodes, configMaps: configMaps,
            cloud: context.loadBalancers, recorder: context.recorder(component: "service-controller"),
            configuration: configuration, logger: context.logger)
        return InformerAndController(
            informers: [{ try await services.run() }, { try await configMaps.run() }], controller: controller)
    }
}

/// Runs a controller together with the informers only it uses; any ending ends all.
private struct InformerAndController: ServiceLifecycle.Service {
    let informers: [@Sendable () async throws -> Void]
    let controller: ServiceController

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { try await informer() } }
            group.addTask { try await controller.run() }
            try await group.next()
            group.cancelAll()
        }
    }
}
