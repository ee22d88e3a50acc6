import CloudAPI
import Foundation
import Kubernetes

/// What a Service's load balancer is built from besides the Service: the ConfigMap of
/// `firewall-rules-cm`, the Secret of `auto-ssl`, and the VPC of the instance the controller runs on.
extension ServiceController {
    /// The rules of the Service's `firewall-rules-cm` ConfigMap, nil when it names none. A missing
    /// ConfigMap or key is retried; a bad document is an ``AnnotationError`` naming the annotation.
    func configMapFirewallRules(_ options: LoadBalancerOptions, _ service: Service) async throws -> [LoadBalancer.FirewallRule]? {
        guard let name = options.firewallRulesConfigMap else { return nil }
        let key = LoadBalancerAnnotations.firewallRulesConfigMap.keyUsed(in: service.metadata.annotations)
        let source = "ConfigMap \(service.namespace ?? "default")/\(name) (\(key))"
        let configMap: ConfigMap
        if let cached = configMaps?.cache.get("\(service.namespace ?? "default")/\(name)") {
            configMap = cached
        } else {
            do {
                configMap = try await client.get(ConfigMap.self, name: name, namespace: service.namespace)
            } catch let error as KubernetesError where error.code == .notFound {
                throw ServiceSyncError("\(source) not found")
            }
        }
        guard let text = configMap.data[FirewallRulesDocument.key] else {
            throw ServiceSyncError("\(source) has no key \(FirewallRulesDocument.key)")
        }
        switch FirewallRulesDocument.parse(text) {
        case .success(let rules): return rules
        case .failure(let failure): throw AnnotationError(key: key, message: "\(source): \(failure.message)")
        }
    }

    /// The domain of the Service's `auto-ssl` Secret, nil when it names none.
    func autoSSL(_ options: LoadBalancerOptions, _ service: Service) async throws -> LoadBalancer.AutoSSL? {
        guard let name = options.autoSSLSecret else { return nil }
        let key = LoadBalancerAnnotations.autoSSL.keyUsed(in: service.metadata.annotations)
        let source = "Secret \(service.namespace ?? "default")/\(name) (\(key))"
        let secret: Secret
        do {
            secret = try await client.get(Secret.self, name: name, namespace: service.namespace)
        } catch let error as KubernetesError where error.code == .notFound {
            throw ServiceSyncError("\(source) not found")
        }
        func text(_ field: String) -> String? {
            secret.data[field].flatMap { String(data: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let zone = text("domainZone"), !zone.isEmpty else {
            throw ServiceSyncError("\(source) has no domainZone")
        }
        let sub = text("subDomain") ?? ""
        let domain = sub.isEmpty ? zone : "\(sub).\(zone)"
        if case .failure(let failure) = Annotation<String>.dnsName(domain) {
            throw AnnotationError(key: key, message: "\(source): \(failure.message)")
        }
        return LoadBalancer.AutoSSL(domainZone: zone.lowercased(), domainSub: sub.lowercased())
    }

    /// The VPC of the instance the controller runs on (`network-v2-id` in its metadata),
    /// read once and kept. Throws ``ServiceSyncError`` (retried) when it cannot be read.
    func instanceVPC() async throws -> String {
        if let known = knownInstanceVPC.withLock({ $0 }) { return known }
        guard let lookup = configuration.instanceVPC else {
            throw ServiceSyncError("vpc \"true\" means the VPC of the instance the controller runs on, but no metadata service is configured; give the VPC id")
        }
        let found: String?
        do {
            found = try await lookup()
        } catch {
            throw ServiceSyncError("vpc \"true\" means the VPC of the instance the controller runs on; reading it from the metadata service failed: \(error)")
        }
        guard let found, !found.isEmpty else {
            throw ServiceSyncError("vpc \"true\" means the VPC of the instance the controller runs on, and that instance is in no VPC; give the VPC id")
        }
        knownInstanceVPC.withLock { $0 = found }
        return found
    }
}
