import CloudAPI
import Kubernetes
import Logging
import ServiceLifecycle
import Synchronization

/// The service (load balancer) controller: one cloud load balancer per Service of type
/// `LoadBalancer` without `spec.loadBalancerClass`, kept equal to what the Service, its
/// annotations and the eligible nodes ask for.
///
/// The executable owns the informers (shared with the other controllers) and runs this as one
/// `ServiceLifecycle.Service` under the leader elector. ``run()`` drives the work queue, the
/// periodic drift repair (`lbResyncPeriod`) and the debounced node-set propagation.
public final class ServiceController: ServiceLifecycle.Service, Sendable {
    public static let finalizer = "service.kubernetes.io/load-balancer-cleanup"

    let client: KubernetesClient
    let services: Informer<Kubernetes.Service>
    let nodes: Informer<Node>
    let secrets: Informer<Secret>?
    /// When given, an edit of a `firewall-rules-cm` ConfigMap re-syncs the Services naming it.
    let configMaps: Informer<ConfigMap>?
    let cloud: any LoadBalancers
    let cache: LoadBalancerCache
    let recorder: EventRecorder
    let configuration: ServiceControllerConfiguration
    let logger: Logger
    /// The work queue of Service keys (`namespace/name`).
    public let queue = WorkQueue<String>(name: "service")
    /// The last state of Services deleted while still wanting a load balancer (their finalizer
    /// was removed by someone else): their load balancer is deleted from this copy.
    let tombstones = Mutex<[String: Kubernetes.Service]>([:])
    /// UIDs of Services whose finalizer this controller removed after cleaning up: their
    /// deletion needs no second pass.
    let cleanedUp = Mutex<Set<String>>([])
    /// Held per shared `label` while its load balancer is looked up and changed.
    let groupLocks = KeyedLock()
    /// The VPC of the instance the controller runs on, once read (for `vpc: "true"`).
    let knownInstanceVPC = Mutex<String?>(nil)
    private let nodeChanges: AsyncStream<Void>
    private let nodeChangeSignal: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - secrets: when given, a change to a TLS Secret re-syncs the Services naming it at once;
    ///     without it, a rotated Secret is applied at the next `lbResyncPeriod`.
    ///   - configMaps: when given, a change to a `firewall-rules-cm` ConfigMap re-syncs the
    ///     Services naming it at once, and lookups are answered from its cache.
    public init(
        client: KubernetesClient, services: Informer<Kubernetes.Service>, nodes: Informer<Node>, secrets: Informer<Secret>? = nil,
        configMaps: Informer<ConfigMap>? = nil,
        cloud: any LoadBalancers, recorder: EventRecorder, configuration: ServiceControllerConfiguration = .init(),
        logger: Logger
    ) {
        self.client = client
        self.services = services
        self.nodes = nodes
        self.secrets = secrets
        self.configMaps = configMaps
        self.cloud = cloud
        // A snapshot must be older than a resync period by the next round, or drift would go unseen.
        self.cache = LoadBalancerCache(
            cloud: cloud, maxAge: min(configuration.cloudSnapshotMaxAge, configuration.lbResyncPeriod / 2))
        self.recorder = recorder
        self.configuration = configuration
        self.logger = logger
        (nodeChanges, nodeChangeSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        registerHandlers()
    }

    public func run() async throws {
        // Never reconcile from half-filled caches: an empty node cache would empty every load balancer.
        while !(services.hasSynced && nodes.hasSynced) && !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(50))
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.resyncLoop() }
            group.addTask { await self.nodeChangeLoop() }
            let controller = Controller(name: "service", queue: queue, workers: configuration.workers, logger: logger) {
                [weak self] key in
                guard let self else { return .done }
                return try await self.reconcile(key)
            }
            try await controller.run()
            group.cancelAll()
        }
    }

    /// Every `lbResyncPeriod`, every Service this controller manages is compared again.
    private func resyncLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.lbResyncPeriod)
            if Task.isCancelled { return }
            await resync()
        }
    }

    /// Node-set changes, debounced: a burst of node events becomes one pass over all Services.
    private func nodeChangeLoop() async {
        for await _ in nodeChanges {
            try? await Task.sleep(for: configuration.nodeSyncDebounce)
            if Task.isCancelled { return }
            enqueueAllManaged(reason: "node set changed")
        }
    }

    func signalNodeSetChanged() { nodeChangeSignal.yield() }

    /// Compares every managed Service with its load balancer again now, as the periodic drift
    /// repair does: one fresh list of load balancers (one call per page), then every managed
    /// Service is queued and compared against that list.
    public func resync() async {
        do {
            _ = try await cache.all(fresh: true)
        } catch {
            logger.info("could not list load balancers for the resync; each Service will retry", metadata: ["error": "\(error)"])
        }
        enqueueAllManaged(reason: "resync")
    }

    func enqueueAllManaged(reason: String) {
        var count = 0
        services.cache.forEach { service in
            if Self.wantsLoadBalancer(service) || service.metadata.finalizers.contains(Self.finalizer) {
                queue.add(service.key)
                count += 1
            }
        }
        logger.debug("re-syncing load balancers", metadata: ["reason": "\(reason)", "services.count": "\(count)"])
    }

    /// `type: LoadBalancer` with no `loadBalancerClass`: ours to manage (unless `create=false`).
    static func wantsLoadBalancer(_ service: Kubernetes.Service) -> Bool {
        service.spec.type == "LoadBalancer" && service.spec.loadBalancerClass == nil
    }
}
