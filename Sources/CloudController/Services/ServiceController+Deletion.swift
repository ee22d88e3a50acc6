import CloudAPI
import Kubernetes

extension ServiceController {
    /// Deletes the Service's load balancers: the one its id annotation names and any carrying its
    /// UID label, except a shared load balancer other Services still use: that one is kept and
    /// its remaining members are queued, so their next pass removes this Service's rules.
    /// Returns once the cloud has confirmed each deleted one gone (deleted, or a 404). Any other
    /// failure throws: the finalizer stays and the deletion is retried with backoff.
    func deleteLoadBalancers(of service: Service) async throws {
        if let label = Self.sharedLabel(of: service) {
            try await groupLocks.withLock(label) { try await self.deleteOwnLoadBalancers(of: service, label: label) }
        } else {
            try await deleteOwnLoadBalancers(of: service, label: nil)
        }
    }

    private func deleteOwnLoadBalancers(of service: Service, label: String?) async throws {
        do {
            var found: [String: LoadBalancer] = [:]
            for id in recordedIDs(service) {
                if let loadBalancer = try await cache.loadBalancer(id: id) { found[loadBalancer.id] = loadBalancer }
            }
            if let uidLabel = LoadBalancerName.uidLabel(for: service) {
                for loadBalancer in try await cache.all(fresh: true) where loadBalancer.label == uidLabel {
                    found[loadBalancer.id] = loadBalancer
                }
            }
            // Members of the Service's group (other than itself) keep a load balancer carrying the
            // group's label or a member's UID label (created by one, not renamed yet).
            let members = label.map { groupMembers(label: $0).filter { $0.metadata.uid != service.metadata.uid } } ?? []
            let memberLabels = Set(members.compactMap(LoadBalancerName.uidLabel(for:)) + (LoadBalancerName.uidLabel(for: service).map { [$0] } ?? []))
            var targets: [String] = []
            var keptFor: [Service] = []
            for (id, loadBalancer) in found.sorted(by: { $0.key < $1.key }) {
                var users = referencingServices(loadBalancer, besides: service)
                if !members.isEmpty, loadBalancer.label == label || memberLabels.contains(loadBalancer.label) {
                    users += members.filter { member in !users.contains { $0.key == member.key } }
                }
                if users.isEmpty {
                    targets.append(id)
                } else {
                    logger.info("shared load balancer kept for its other Services", metadata: [
                        "service.key": "\(service.key)", "lb.id": "\(id)",
                        "lb.users": "\(users.map(\.key).sorted().joined(separator: ","))",
                    ])
                    await recorder.record(
                        .normal, reason: "LeftSharedLoadBalancer",
                        message: "Load balancer \(id) is still used by \(users.map(\.key).sorted().joined(separator: ", ")); kept, without this Service's rules",
                        about: service.reference)
                    keptFor += users
                }
            }
            for user in keptFor { queue.add(user.key) }
            guard !targets.isEmpty else { return }
            await recorder.record(.normal, reason: "DeletingLoadBalancer", message: "Deleting load balancer", about: service.reference)
            for id in targets {
                do {
                    try await cloud.deleteLoadBalancer(id: id)
                } catch let error as CloudError where error.code == .notFound {
                    // Already gone.
                }
                await cache.remove(id: id)
                logger.info("deleted load balancer", metadata: ["service.key": "\(service.key)", "lb.id": "\(id)"])
            }
            await recorder.record(.normal, reason: "DeletedLoadBalancer", message: "Deleted load balancer", about: service.reference)
        } catch {
            logger.warning("could not delete load balancer", metadata: ["service.key": "\(service.key)", "error": "\(error)"])
            await warn(service, "DeleteLoadBalancerFailed", "Error deleting load balancer: \(error)")
            throw error
        }
    }
}
