import Kubernetes

extension ServiceController {
    func registerHandlers() {
        let queue = self.queue
        services.addHandler(ResourceEventHandler(
            onAdd: { service in
                if Self.isRelevant(service) { queue.add(service.key) }
            },
            onUpdate: { [weak self] old, new in
                guard Self.isRelevant(old) || Self.isRelevant(new) else { return }
                // Status-only writes (ours, ingress) and resyncs of an unchanged object need no pass.
                if Self.reconcileInputs(old) != Self.reconcileInputs(new) {
                    queue.add(new.key)
                    // A member of a shared load balancer changed or left: the others look again.
                    self?.enqueueGroups(of: [old, new])
                }
            },
            onDelete: { [weak self] service in
                self?.enqueueGroups(of: [service])
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
        configMaps?.addHandler(ResourceEventHandler(
            onAdd: { [weak self] configMap in self?.enqueueServices(usingFirewallRules: configMap) },
            onUpdate: { [weak self] old, new in
                if old.json["data"] != new.json["data"] { self?.enqueueServices(usingFirewallRules: new) }
            },
            onDelete: { [weak self] configMap in self?.enqueueServices(usingFirewallRules: configMap) }))
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

    /// Services in the Secret's namespace whose `ssl` or `auto-ssl` annotation names it.
    private func enqueueServices(using secret: Secret) {
        services.cache.forEach { service in
            let annotations = service.metadata.annotations
            guard service.namespace == secret.namespace, Self.wantsLoadBalancer(service),
                  (try? LoadBalancerAnnotations.ssl.explicitValue(in: annotations)) == secret.name
                    || (try? LoadBalancerAnnotations.autoSSL.explicitValue(in: annotations)) == secret.name
            else { return }
            queue.add(service.key)
        }
    }

    /// Services in the ConfigMap's namespace whose `firewall-rules-cm` annotation names it.
    private func enqueueServices(usingFirewallRules configMap: ConfigMap) {
        services.cache.forEach { service in
            guard service.namespace == configMap.namespace, Self.wantsLoadBalancer(service),
                  (try? LoadBalancerAnnotations.firewallRulesConfigMap.explicitValue(in: service.metadata.annotations)) == configMap.name
            else { return }
            queue.add(service.key)
        }
    }
}
