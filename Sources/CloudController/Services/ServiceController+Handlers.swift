import Kubernetes

extension ServiceController {
    func registerHandlers() {
        let queue = self.queue
        services.addHandler(ResourceEventHandler(
            onAdd: { service in
                if Self.isRelevant(service) { queue.add(service.key) }
            },
            onUpdate: { old, new in
                guard Self.isRelevant(old) || Self.isRelevant(new) else { return }
                // Status-only writes (ours, ingress) and resyncs of an unchanged object need no pass.
                if Self.reconcileInputs(old) != Self.reconcileInputs(new) { queue.add(new.key) }
            },
            onDelete: { [weak self] service in
                guard let self, Self.wantsLoadBalancer(service) else { return }
                let uid = service.metadata.uid ?? ""
                if self.cleanedUp.withLock({ $0.remove(uid) != nil }) { return }
                self.tombstones.withLock { $0[service.key] = service }
                queue.add(service.key)
            }))
        nodes.addHandler(ResourceEventHandler(
            onAdd: { [weak self] node in
                if LoadBalancerTarget(node: node) != nil { self?.signalNodeSetChanged() }
            },
            onUpdate: { [weak self] old, new in
                if LoadBalancerTarget(node: old) != LoadBalancerTarget(node: new) { self?.signalNodeSetChanged() }
            },
            onDelete: { [weak self] node in
                if LoadBalancerTarget(node: node) != nil { self?.signalNodeSetChanged() }
            }))
        secrets?.addHandler(ResourceEventHandler(
            onAdd: { [weak self] secret in self?.enqueueServices(using: secret) },
            onUpdate: { [weak self] old, new in
                if old.json["data"] != new.json["data"] { self?.enqueueServices(using: new) }
            }))
    }

    private static func isRelevant(_ service: Service) -> Bool {
        wantsLoadBalancer(service) || service.metadata.finalizers.contains(finalizer)
    }

    /// What a reconcile reads from a Service: everything but status and bookkeeping metadata.
    private static func reconcileInputs(_ service: Service) -> [JSONValue?] {
        let metadata = service.metadata
        return [
            service.json["spec"], metadata.json["annotations"], metadata.json["finalizers"],
            metadata.json["deletionTimestamp"], metadata.json["uid"],
        ]
    }

    /// Services in the Secret's namespace whose `ssl` annotation names it.
    private func enqueueServices(using secret: Secret) {
        services.cache.forEach { service in
            guard service.namespace == secret.namespace, Self.wantsLoadBalancer(service),
                  (try? LoadBalancerAnnotations.ssl.explicitValue(in: service.metadata.annotations)) == secret.name
            else { return }
            queue.add(service.key)
        }
    }
}
