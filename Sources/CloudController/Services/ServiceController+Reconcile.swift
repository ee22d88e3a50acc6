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
        let annotations = service.metadata.annotations
        let options: LoadBalancerOptions
        do {
            options = try LoadBalancerOptions(annotations: annotations)
        } catch {
            for problem in error.errors { await warnInvalid(problem, service) }
            return .done  // nothing to retry until the Service changes
        }
        var instanceIDs: [String] = []
        var regions = Set<String>()
        nodes.cache.forEach { node in
            guard let target = LoadBalancerTarget(node: node) else { return }
            instanceIDs.append(target.instanceID)
            if let region = target.region { regions.insert(region) }
        }
        guard regions.count <= 1 else {
            await warn(service, "SyncLoadBalancerFailed", "Target nodes span regions \(regions.sorted().joined(separator: ", ")); a load balancer lives in one region")
            return .done
        }
        guard let region = regions.first ?? configuration.region else {
            await warn(service, "SyncLoadBalancerFailed", "No region for the load balancer: no target node has label \(LoadBalancerTarget.regionLabel) and no default region is configured")
            return .done
        }
        if instanceIDs.isEmpty {
            await warn(service, "UnAvailableLoadBalancer", "There are no available nodes for LoadBalancer")
        }
        guard let uidLabel = LoadBalancerName.uidLabel(for: service) else { return .done }
        do {
            let certificate = try await tlsCertificate(options, service)
            let plan: LoadBalancerPlan
            do {
                plan = try LoadBalancerPlan(
                    service: service, options: options, instanceIDs: instanceIDs, region: region,
                    label: options.label ?? uidLabel, certificate: certificate, defaultVPC: configuration.defaultVPC)
            } catch {
                await warnInvalid(error, service)
                return .done
            }
            try await addFinalizer(service)
            return try await apply(plan, to: service, uidLabel: uidLabel)
        } catch {
            await warn(service, "SyncLoadBalancerFailed", "Error syncing load balancer: \(error)")
            throw error
        }
    }

    /// Creates or updates the load balancer, records its id, and publishes its address.
    private func apply(_ plan: LoadBalancerPlan, to service: Service, uidLabel: String) async throws -> ReconcileResult {
        let annotations = service.metadata.annotations
        var appliedFingerprint = annotations[LoadBalancerAnnotations.appliedFingerprint.info.key]
        var recordedID = recordedIDs(service).first
        var wrote = false
        var loadBalancer: LoadBalancer
        if let found = try await locate(service, uidLabel: uidLabel, customLabel: plan.spec.label) {
            loadBalancer = found
        } else {
            await recorder.record(.normal, reason: "EnsuringLoadBalancer", message: "Ensuring load balancer", about: service)
            // Created under the UID label: findable even if we crash before recording its id.
            var spec = plan.spec
            spec.label = uidLabel
            loadBalancer = try await cloud.createLoadBalancer(spec)
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
                [LoadBalancerIngress(ip: ipv4)] + (loadBalancer.ipv6.map { [LoadBalancerIngress(ip: $0)] } ?? [])
            }
        let ingressChanged = service.status.loadBalancerIngress.map(\.json) != ingress.map(\.json)
        if ingressChanged { try await patchIngress(service, ingress) }
        if wrote || ingressChanged {
            await recorder.record(.normal, reason: "EnsuredLoadBalancer", message: "Ensured load balancer", about: service)
        }
        return .done
    }

    /// The Service's load balancer: by the id recorded on it, else by the UID label it is created
    /// under, else (its id annotation lost after a rename to a custom label) by that label when
    /// exactly one load balancer carries it and no other Service records it, as Vultr's CCM
    /// matches by label. Nil only when the cloud confirmed there is none (a 404, or absent from a
    /// successful list).
    private func locate(_ service: Kubernetes.Service, uidLabel: String, customLabel: String) async throws -> LoadBalancer? {
        for id in recordedIDs(service) {
            if let found = try await cache.loadBalancer(id: id) { return found }
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
        let labelled = all.filter { $0.label == customLabel }
        guard labelled.count == 1, let candidate = labelled.first else { return nil }
        var claimed = false
        services.cache.forEach { other in
            if other.metadata.uid != service.metadata.uid && recordedIDs(other).contains(candidate.id) { claimed = true }
        }
        return claimed ? nil : candidate
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

    private func addFinalizer(_ service: Service) async throws {
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
