import CloudController
import Kubernetes
import ServiceLifecycle

/// Every controller this binary knows, in start order: its `--controllers` name and how to build
/// it from the shared context. A constructor returns `.off(reason)` when its preconditions do
/// not hold (logged once at start). Adding a controller is one entry here.
enum ControllerTable {
    enum Startup {
        case run(any ServiceLifecycle.Service)
        case off(String)
    }

    static let entries: [(name: String, make: @Sendable (ControllerContext) -> Startup)] = [
        (CloudNodeController.name, { .run(CloudNodeController(context: $0)) }),
        (NodeLifecycleController.name, { .run(NodeLifecycleController(context: $0)) }),
        (RouteController.name, { context in
            guard context.options.configureCloudRoutes else { return .off("--configure-cloud-routes=false") }
            guard !context.options.clusterCIDRs.isEmpty else { return .off("no --cluster-cidr given") }
            guard context.routes.supportsRoutes else {
                return .off("this cloud has no routes API (Vultr); pod networking must not rely on cloud routes")
            }
            return .run(RouteController(context: context))
        }),
        ("service", { .run(ServiceController.running(in: $0)) }),
    ]

    static var names: [String] { entries.map(\.name) }
}
