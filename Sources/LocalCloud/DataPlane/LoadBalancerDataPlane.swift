import Logging
import NIOCore

/// The load balancers' traffic side: given the active load balancers as ``BalancerSpec``s, it
/// starts, changes and stops their ``BalancerRuntime``s by diff. Runs on its own event loops,
/// never blocking the API; the server feeds it from the store when the API changes load
/// balancers or instances (see ``LocalCloudServer``).
actor LoadBalancerDataPlane {
    private let group: any EventLoopGroup
    private let logger: Logger
    private let status: DataPlaneStatus
    private var runtimes: [String: BalancerRuntime] = [:]
    private var applied: [String: BalancerSpec] = [:]

    init(group: any EventLoopGroup, logger: Logger, status: DataPlaneStatus) {
        self.group = group
        self.logger = logger
        self.status = status
    }

    /// Makes the running load balancers match `specs`: unchanged ones are left alone, changed
    /// ones updated in place, missing ones stopped. Listeners that failed to open are retried.
    /// Returns whether every listener is open (false: call again later to retry).
    @discardableResult
    func reconcile(_ specs: [BalancerSpec]) async -> Bool {
        let wanted = Dictionary(specs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (id, runtime) in runtimes where wanted[id] == nil {
            await runtime.shutdown()
            runtimes[id] = nil
            applied[id] = nil
        }
        for spec in specs {
            let retry = !(status.entry(spec.id)?.listenerErrors.isEmpty ?? true)
            if let runtime = runtimes[spec.id] {
                guard applied[spec.id] != spec || retry else { continue }
                await runtime.update(spec)
            } else {
                let runtime = BalancerRuntime(spec: spec, group: group, logger: logger, status: status)
                runtimes[spec.id] = runtime
                logger.info("load balancer starting", metadata: ["load_balancer.id": "\(spec.id)", "address": "\(spec.address)"])
                await runtime.update(spec)
            }
            applied[spec.id] = spec
        }
        return specs.allSatisfy { status.entry($0.id)?.listenerErrors.isEmpty ?? true }
    }

    /// Stops every load balancer.
    func shutdown() async {
        for runtime in runtimes.values { await runtime.shutdown() }
        runtimes = [:]
        applied = [:]
    }
}
