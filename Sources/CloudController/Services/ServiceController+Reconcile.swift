import Foundation
import CloudAPI
import Kubernetes
import Logging

extension ServiceController {
    func reconcile(_ key: String) async throws -> ReconcileResult {
        guard let service = services.cache.get(key) else {
            // Deleted without our finalizer (someone removed it): clean up from the last copy.
            guard let last = tombstones.withLock({ $0.removeValue(forKey: key) }) else { return .done }
            do {
                if !Self.isHandsOff(last) { try await deleteLoadBalancers(of: last) }
            } catch {
                tombstones.withLock { $0[key] = $0[key] ?? last }
                throw error
            }
            return .done
        }
        tombstones.withLock { _ = $0.removeValue(forKey: key) }
        let hasFinalizer = service.metadata.finalizers.contains(Self.finalizer)
        if Self.isHandsOff(service) {
            // `create: "false"`: no cloud calls at all; only let a deletion through.
            if hasFinalizer && service.metadata.deletionTimestamp != nil { try await removeFinalizer(service) }
            return .done
        }
        if Self.wantsLoadBalancer(service) && service.metadata.deletionTimestamp == nil {
            return try await ensure(service)
        }
        if hasFinalizer {
            try await deleteLoadBalancers(of: service)
            if service.metadata.deletionTimestamp == nil && !service.status.loadBalancerIngress.isEmpty {
                try await patchIngress(service, [])
            }
            try await removeFinalizer(service)
        }
        return .done
    }

    static func isHandsOff(_ service: Service) -> Bool {
        (try? LoadBalancerAnnotations.create.value(in: service.metadata.annotations)) == false
    }

    // MARK: Ensure

    private func ensure(_ service: Service) async throws -> ReconcileResult {
        let options: LoadBalancerOptions
        do {
            options = try LoadBalancerOptions(annotations: service.metadata.annotations)
        } catch {
            for problem in error.errors { await warnInvalid(problem, service) }
            return .done  // nothing to retry until the Service changes
        }
        let targets: Targets
        switch currentTargets() {
        case .success(let found): targets = found
        case .failure(let problem):
            await warn(service, "SyncLoadBalancerFailed", problem.description)
            return .done
        }
        if targets.instanceIDs.isEmpty {
            await warn(service, "UnAvailableLoadBalancer", "There are no available nodes for LoadBalancer")
        }
        guard let uidLabel = LoadBalancerName.uidLabel(for: service) else { return .done }
        do {
            let plan: LoadBalancerPlan
            do {
                plan = try await makePlan(for: service, options: options, targets: targets, uidLabel: uidLabel)
            } catch let error as AnnotationError {
                await warnInvalid(error, service)
                return .done
            }
            if let label = options.label {
                return try await groupLocks.withLock(label) {
                    try await self.ensureShared(service, plan: plan, label: label, targets: targets, uidLabel: uidLabel)
                }
            }
            try await addFinalizer(service)
            return try await apply(plan, to: service, uidLabel: uidLabel, group: [])
        } catch {
            logger.warning("could not sync load balancer", metadata: ["service.key": "\(service.key)", "error": "\(error)"])
            await warn(service, "SyncLoadBalancerFailed", "Error syncing load balancer: \(error)")
            throw error
        }
    }

    /// The instances load balancers target now and their region.
    struct Targets: Sendable {
        var instanceIDs: [String]
        var region: String
    }

    func currentTargets() -> Result<Targets, ServiceSyncError> {
        var instanceIDs: [String] = []
        var regions = Set<String>()
        nodes.cache.forEach { node in
            guard let target = LoadBalancerTarget(node: node) else { return }
            instanceIDs.append(target.instanceID)
            if let region = target.region { regions.insert(region) }
        }
        guard regions.count <= 1 else {
            return .failure(ServiceSyncError("Target nodes span regions \(regions.sorted().joined(separator: ", ")); a load balancer lives in one region"))
        }
        guard let region = regions.first ?? configuration.region else {
            return .failure(ServiceSyncError("No region for the load balancer: no target node has label \(LoadBalancerTarget.regionLabel) and no default region is configured"))
        }
        return .success(Targets(instanceIDs: instanceIDs, region: region))
    }

    /// The load balancer the Service asks for on its own. Throws ``AnnotationError`` for a value
    /// that cannot be used, other errors (a missing Secret or ConfigMap, an unreadable metadata
    /// service) to retry.
    func makePlan(for service: Service, options: LoadBalancerOptions, targets: Targets, uidLabel: String) async throws -> LoadBalancerPlan {
        let certificate = try await tlsCertificate(options, service)
        let firewall = try await configMapFirewallRules(options, service)
        var vpc = configuration.defaultVPC
        if vpc == nil, LoadBalancerPlan.needsInstanceVPC(options) { vpc = try await instanceVPC() }
        var plan = try LoadBalancerPlan(
            service: service, options: options, instanceIDs: targets.instanceIDs, region: targets.region,
            label: options.label ?? uidLabel, certificate: certificate, defaultVPC: vpc, firewallOverride: firewall)
        if let autoSSL = try await autoSSL(options, service) {
            plan.spec.autoSSL = autoSSL
            plan.fingerprint.add("auto_ssl:\(autoSSL.domainName)")
        }
        return plan
    }

    /// Creates or updates the load balancer, records its id, and publishes its address.
    ///
    /// - Parameter group: the other Services sharing the load balancer (same `label`).
    func apply(_ plan: LoadBalancerPlan, to service: Service, uidLabel: String, group: [Service]) async throws -> ReconcileResult {
        let annotations = service.metadata.annotations
        var appliedFingerprint = annotations[LoadBalancerAnnotations.appliedFingerprint.info.key]
        var recordedID = recordedIDs(service).first
        var wrote = false
        var loadBalancer: LoadBalancer
        if let found = try await locate(service, uidLabel: uidLabel, customLabel: plan.spec.label, group: group) {
            loadBalancer = found
        } else {
            await recorder.record(.normal, reason: "EnsuringLoadBalancer", message: "Ensuring load balancer", about: service)
            // Created under the UID label: findable even if we crash before recording its id.
            var spec = plan.spec
            spec.label = uidLabel
            do {
                loadBalancer = try await cloud.createLoadBalancer(spec)
            } catch {
                // The create may have been carried out (an answer lost after the commit): the
                // next lookup must list the cloud again, not trust a list from before it, or
                // it would create a second load balancer under the same label.
                await cache.forgetList()
                throw error
            }
            await cache.store(loadBalancer)
            logger.info("created load balancer", metadata: [
                "service.key": "\(service.key)", "lb.id": "\(loadBalancer.id)", "cluster.name": "\(configuration.clusterName)",
            ])
            try await record(id: loadBalancer.id, fingerprint: plan.fingerprint.description, on: service)
            appliedFingerprint = plan.fingerprint.description
            recordedID = loadBalancer.id
            wrote = true
        }
        if loadBalancer.region != plan.spec.region {
            await warn(service, "LoadBalancerRegionMismatch", "Load balancer \(loadBalancer.id) is in region \(loadBalancer.region), the target nodes in \(plan.spec.region); a load balancer cannot move, so it stays where it is")
        }
        let changes = LoadBalancerDiff.changes(from: loadBalancer, to: plan, appliedFingerprint: appliedFingerprint)
        if !changes.isEmpty && loadBalancer.status != .active {
            // Vultr refuses changes while a load balancer is still being set up: apply them once it is active.
            logger.debug("load balancer pending; changes wait", metadata: ["service.key": "\(service.key)", "lb.id": "\(loadBalancer.id)"])
            if recordedID != loadBalancer.id {
                try await record(id: loadBalancer.id, fingerprint: appliedFingerprint, on: service)
            }
            return .requeue(after: configuration.pendingRequeue)
        }
        if !changes.isEmpty {
            await recorder.record(
                .normal, reason: "EnsuringLoadBalancer", message: "Updating load balancer: \(changes.joined(separator: ", "))",
                about: service)
            do {
                try await cloud.updateLoadBalancer(id: loadBalancer.id, plan.spec)
            } catch {
                await cache.invalidate(id: loadBalancer.id)
                throw error
            }
            await cache.invalidate(id: loadBalancer.id)
            logger.info("updated load balancer", metadata: [
                "service.key": "\(service.key)", "lb.id": "\(loadBalancer.id)", "lb.changes": "\(changes.joined(separator: ","))",
            ])
            wrote = true
        }
        // After a create or an update the whole plan is applied; record what the cloud cannot tell us.
        if recordedID != loadBalancer.id || appliedFingerprint != plan.fingerprint.description {
            try await record(id: loadBalancer.id, fingerprint: plan.fingerprint.description, on: service)
        }
        guard loadBalancer.status == .active, let ipv4 = loadBalancer.ipv4 else {
            logger.debug("load balancer pending", metadata: ["service.key": "\(service.key)", "lb.id": "\(loadBalancer.id)"])
            return .requeue(after: configuration.pendingRequeue)
        }
        let ingress: [LoadBalancerIngress] =
            if let hostname = try? LoadBalancerAnnotations.hostname.explicitValue(in: annotations) {
                [LoadBalancerIngress(hostname: hostname)]
            } else {
                ([ipv4] + (Self.wantsIPv6(service) ? loadBalancer.ipv6.map { [$0] } ?? [] : [])).map { address in
                    var entry = LoadBalancerIngress(ip: address)
                    entry.ipMode = Self.ipMode(plan, chosen: try? LoadBalancerAnnotations.ipMode.explicitValue(in: annotations))
                    return entry
                }
            }
        let ingressChanged = service.status.loadBalancerIngress.map(\.json) != ingress.map(\.json)
        if ingressChanged { try await patchIngress(service, ingress) }
        if wrote || ingressChanged {
            await recorder.record(.normal, reason: "EnsuredLoadBalancer", message: "Ensured load balancer", about: service)
        }
        return .done
    }

    /// The Service's load balancer: by the id recorded on it (unless that is a shared load
    /// balancer it is leaving), else by an id another member of its group records, else by the
    /// UID label it is created under, else by its custom label or a group member's UID label
    /// (its id annotation lost after a rename to a custom label, or a group whose first member
    /// has not recorded the id yet). A load balancer another Service outside the group records is
    /// never taken. Nil only when the cloud confirmed there is none (a 404, or absent from a
    /// successful list).
    private func locate(_ service: Kubernetes.Service, uidLabel: String, customLabel: String, group: [Service]) async throws -> LoadBalancer? {
        for id in recordedIDs(service) {
            guard let found = try await cache.loadBalancer(id: id) else { continue }
            if found.label != customLabel && found.label != uidLabel && !referencingServices(found, besides: service).isEmpty {
                continue  // a shared load balancer this Service left: its members keep it
            }
            return found
        }
        let groupUIDLabels = Set(group.compactMap(LoadBalancerName.uidLabel(for:)))
        for member in group {
            for id in recordedIDs(member) {
                if let found = try await cache.loadBalancer(id: id), found.label == customLabel || groupUIDLabels.contains(found.label) {
                    return found
                }
            }
        }
        let all = try await cache.all()
        let matches = all.filter { $0.label == uidLabel }.sorted { $0.id < $1.id }
        if matches.count > 1 {
            logger.info("several load balancers carry the Service's UID label; using the first", metadata: [
                "service.key": "\(service.key)", "lb.ids": "\(matches.map(\.id).joined(separator: ","))",
            ])
        }
        if let match = matches.first { return match }
        guard customLabel != uidLabel else { return nil }
        let groupKeys = Set(group.map(\.key))
        let labelled = all.filter { $0.label == customLabel || groupUIDLabels.contains($0.label) }.sorted { $0.id < $1.id }
        // Taken by a Service outside the group: not ours.
        let free = labelled.filter { candidate in
            referencingServices(candidate, besides: service).allSatisfy { groupKeys.contains($0.key) }
        }
        if group.isEmpty {
            guard labelled.count == 1, let candidate = free.first else { return nil }
            return candidate
        }
        if free.count > 1 {
            logger.info("several load balancers carry the shared label; using the first", metadata: [
                "service.key": "\(service.key)", "lb.ids": "\(free.map(\.id).joined(separator: ","))",
            ])
        }
        return free.first
    }

    /// `status.loadBalancer.ingress[].ipMode`: `Proxy` when the load balancer must see the traffic
    /// itself (it terminates TLS on an `https` frontend, or sends the PROXY protocol header), so
    /// kube-proxy sends in-cluster clients through it instead of short-cutting to the Service;
    /// `VIP` otherwise; the `ip-mode` annotation, when set, decides instead.
    static func ipMode(_ plan: LoadBalancerPlan, chosen: String?) -> String {
        if let chosen { return chosen }
        let terminatesTLS = plan.spec.forwardingRules.contains { $0.frontendProtocol == .https }
        return plan.spec.proxyProtocol || terminatesTLS ? "Proxy" : "VIP"
    }

    /// Load balancer ids recorded on the Service: Vultr's key, Mooring's, then Vultr's legacy key.
    func recordedIDs(_ service: Service) -> [String] {
        let annotations = service.metadata.annotations
        let info = LoadBalancerAnnotations.id.info
        var ids: [String] = []
        for key in [info.vultrKey, info.key, LoadBalancerAnnotations.legacyIDKey].compactMap({ $0 }) {
            if let id = annotations[key], !id.isEmpty, !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    private func tlsCertificate(_ options: LoadBalancerOptions, _ service: Service) async throws -> LoadBalancer.TLSCertificate? {
        guard let name = options.sslSecret, !options.httpsPorts.isEmpty || options.frontendProtocol == .https else { return nil }
        let secret: Secret
        do {
            secret = try await client.get(Secret.self, name: name, namespace: service.namespace)
        } catch let error as KubernetesError where error.code == .notFound {
            throw ServiceSyncError("TLS Secret \(service.namespace ?? "default")/\(name) (\(LoadBalancerAnnotations.ssl.keyUsed(in: service.metadata.annotations))) not found")
        }
        let data = secret.data
        guard let cert = data["tls.crt"].flatMap({ String(data: $0, encoding: .utf8) }), !cert.isEmpty,
              let key = data["tls.key"].flatMap({ String(data: $0, encoding: .utf8) }), !key.isEmpty
        else {
            throw ServiceSyncError("TLS Secret \(service.namespace ?? "default")/\(name) lacks tls.crt or tls.key")
        }
        let trimmedCert = cert.trimmingCharacters(in: .whitespacesAndNewlines)
        let trimmedKey = key.trimmingCharacters(in: .whitespacesAndNewlines)
        let chain = data["ca.crt"].flatMap { String(data: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return LoadBalancer.TLSCertificate(privateKey: trimmedKey, certificate: trimmedCert, chain: chain)
    }

    // MARK: Writes to the Service

    func addFinalizer(_ service: Service) async throws {
        guard !service.metadata.finalizers.contains(Self.finalizer) else { return }
        _ = try await client.modify(Service.self, name: service.name, namespace: service.namespace) { current in
            guard !current.metadata.finalizers.contains(Self.finalizer) else { return false }
            current.metadata.finalizers.append(Self.finalizer)
            return true
        }
    }

    func removeFinalizer(_ service: Service) async throws {
        do {
            _ = try await client.modify(Service.self, name: service.name, namespace: service.namespace) { current in
                guard current.metadata.uid == service.metadata.uid,
                      current.metadata.finalizers.contains(Self.finalizer) else { return false }
                current.metadata.finalizers.removeAll { $0 == Self.finalizer }
                return true
            }
            if service.metadata.deletionTimestamp != nil, let uid = service.metadata.uid {
                cleanedUp.withLock { _ = $0.insert(uid) }
            }
        } catch let error as KubernetesError where error.code == .notFound {
            return
        }
    }

    /// Writes the load balancer id (under Vultr's key) and, when known, the applied fingerprint.
    private func record(id: String, fingerprint: String?, on service: Service) async throws {
        let idKey = LoadBalancerAnnotations.id.info.vultrKey ?? LoadBalancerAnnotations.id.info.key
        var annotations: JSONObject = [idKey: .string(id)]
        if let fingerprint { annotations[LoadBalancerAnnotations.appliedFingerprint.info.key] = .string(fingerprint) }
        _ = try await client.patch(
            Service.self, name: service.name, namespace: service.namespace,
            patch: ["metadata": ["annotations": .object(annotations)]])
    }

    func patchIngress(_ service: Service, _ ingress: [LoadBalancerIngress]) async throws {
        let patch: JSONValue = ["status": ["loadBalancer": ["ingress": ingress.isEmpty ? .null : ingress.jsonValue]]]
        _ = try await client.patch(Service.self, name: service.name, namespace: service.namespace, patch: patch, subresource: "status")
    }

    // MARK: Events

    func warn(_ service: Service, _ reason: String, _ message: String) async {
        await recorder.record(.warning, reason: reason, message: message, about: service)
    }

    /// Annotation keys contain a `/`; Service fields (`spec.ports`) do not.
    private func warnInvalid(_ problem: AnnotationError, _ service: Service) async {
        logger.info("invalid load balancer setting", metadata: ["service.key": "\(service.key)", "setting": "\(problem.key)"])
        if problem.key.contains("/") {
            await warn(service, "InvalidAnnotation", "\(problem); load balancer left unchanged")
        } else {
            await warn(service, "SyncLoadBalancerFailed", "\(problem.key): \(problem.message); load balancer left unchanged")
        }
    }
}
