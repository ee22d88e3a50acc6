import CloudAPI
import Foundation
import Kubernetes
import Logging
import ServiceLifecycle

/// Every `--route-reconciliation-period`: one route per pod CIDR of every initialized node, to
/// that node's instance; routes inside `--cluster-cidr` that no node needs are deleted; each
/// node's `NetworkUnavailable` condition says whether all its routes exist. Against a backend
/// without a routes API it logs that once and stays off.
public final class RouteController: ServiceLifecycle.Service, Sendable {
    public static let name = "route"
    public static let component = "route-controller"

    private let client: KubernetesClient
    private let nodes: Informer<Node>
    private let routes: any Routes
    private let instances: any Instances
    private let clusterName: String
    private let clusterCIDRs: [IPNetwork]
    private let period: Duration
    private let logger: Logger

    public convenience init(context: ControllerContext) {
        self.init(
            client: context.client, nodes: context.nodes, routes: context.routes, instances: context.instances,
            clusterName: context.options.clusterName, clusterCIDRs: context.options.clusterCIDRs,
            period: context.options.routeReconciliationPeriod, logger: context.logger)
    }

    public init(
        client: KubernetesClient, nodes: Informer<Node>, routes: any Routes, instances: any Instances,
        clusterName: String, clusterCIDRs: [IPNetwork], period: Duration, logger: Logger
    ) {
        self.client = client
        self.nodes = nodes
        self.routes = routes
        self.instances = instances
        self.clusterName = clusterName
        self.clusterCIDRs = clusterCIDRs
        self.period = period
        self.logger = logger.controller(Self.name)
    }

    public func run() async throws {
        guard routes.supportsRoutes else {
            logger.notice("route controller off: this cloud has no routes API (pod networking must not depend on cloud routes)")
            try? await gracefulShutdown()
            return
        }
        await runPeriodically(every: period, after: nodes) {
            do {
                try await self.reconcile()
            } catch {
                self.logger.info("route reconciliation failed; next period tries again", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The route description naming the node a route serves.
    public func description(nodeName: String) -> String { "\(clusterName):\(nodeName)" }

    /// One pass: list routes (one call), delete, create, then conditions.
    public func reconcile() async throws {
        let existing = try await routes.routes()
        var wanted: [RoutePlan.Wanted] = []
        var candidates: [String: Node] = [:]
        nodes.cache.forEach { node in
            guard let id = node.instanceID, node.metadata.deletionTimestamp == nil else { return }
            let cidrs = node.podCIDRList
            guard !cidrs.isEmpty else { return }
            candidates[node.name] = node
            wanted += cidrs.map { RoutePlan.Wanted(nodeName: node.name, instanceID: id, destination: $0) }
        }
        let plan = RoutePlan(wanted: wanted, existing: existing, clusterCIDRs: clusterCIDRs)
        for route in plan.delete {
            do {
                try await routes.deleteRoute(id: route.id)
                logger.info("route deleted", metadata: ["route.id": "\(route.id)", "route.destination": "\(route.destination)"])
            } catch let error as CloudError where error.code == .notFound {
                continue
            } catch {
                logger.info("route not deleted", metadata: ["route.id": "\(route.id)", "error": "\(error)"])
            }
        }
        var failed: [String: String] = [:]
        for route in plan.create {
            do {
                let hop = try? await instances.instance(id: route.instanceID).privateIPv4
                _ = try await routes.createRoute(
                    RouteSpec(
                        destination: route.destination, instanceID: route.instanceID, nextHop: hop,
                        description: description(nodeName: route.nodeName)))
                logger.info(
                    "route created",
                    metadata: ["node.name": "\(route.nodeName)", "route.destination": "\(route.destination)"])
            } catch {
                failed[route.nodeName] = "\(error)"
                logger.info(
                    "route not created",
                    metadata: ["node.name": "\(route.nodeName)", "route.destination": "\(route.destination)", "error": "\(error)"])
            }
        }
        for (name, node) in candidates.sorted(by: { $0.key < $1.key }) {
            do {
                try await setNetworkUnavailable(failed[name] != nil, on: node)
            } catch {
                logger.info("NetworkUnavailable not updated", metadata: ["node.name": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Patches the condition only when its status changes (a strategic merge: other conditions
    /// stay as the kubelet wrote them).
    private func setNetworkUnavailable(_ unavailable: Bool, on node: Node) async throws {
        let status = unavailable ? "True" : "False"
        let current = node.status.condition("NetworkUnavailable")
        let reason = unavailable ? "NoRouteCreated" : "RouteCreated"
        guard current?.status != status || current?.reason != reason else { return }
        let condition = NodeCondition(
            type: "NetworkUnavailable", status: status, reason: reason,
            message: unavailable ? "RouteController failed to create a route" : "RouteController created a route")
        _ = try await client.patch(
            Node.self, name: node.name, patch: ["status": ["conditions": [condition.jsonValue]]], type: .strategicMerge,
            subresource: "status")
    }
}
