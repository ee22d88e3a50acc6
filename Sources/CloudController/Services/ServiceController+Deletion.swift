import CloudAPI
import Kubernetes

extension ServiceController {
    /// Deletes the Service's load balancers: the one its id annotation names and any carrying its
    /// UID label. Returns once the cloud has confirmed each gone (deleted, or a 404). Any other
    /// failure throws: the finalizer stays and the deletion is retried with backoff.
    func deleteLoadBalancers(of service: Service) async throws {
        do {
            var targets: [String: LoadBalancer] = [:]
            for id in recordedIDs(service) {
                if let found = try await cache.loadBalancer(id: id) { targets[found.id] = found }
            }
            if let uidLabel = LoadBalancerName.uidLabel(for: service) {
                for found in try await cache.all(fresh: true) where found.label == uidLabel { targets[found.id] = found }
            }
            guard !targets.isEmpty else { return }
            await recorder.record(.normal, reason: "DeletingLoadBalancer", message: "Deleting load balancer", about: service.reference)
            for id in targets.keys.sorted() {
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
            await warn(service, "DeleteLoadBalancerFailed", "Error deleting load balancer: \(error)")
            throw error
        }
    }
}
