import CloudAPI
import Kubernetes

/// Load balancers shared by label: Services with the same non-empty `label` annotation share
/// one load balancer, whose rules are the union of theirs.
///
/// Membership is not stored on the load balancer (the cloud has nowhere to put it) but derived
/// each time from the Services themselves: the members of label L are the Services in the
/// (synced) informer cache that want a load balancer, are not being deleted and carry label L.
/// Each member records the shared load balancer's id like any Service. So after a restart the
/// group is the same as before it, and a load balancer is deleted only by a member that finds no
/// other Service referencing it (a member of its group, or any Service recording its id).
/// Everything that reads or changes a group's load balancer holds the label's lock.
extension ServiceController {
    /// The `label` a Service shares its load balancer under, when it sets one.
    static func sharedLabel(of service: Service) -> String? {
        (try? LoadBalancerAnnotations.label.explicitValue(in: service.metadata.annotations)) ?? nil
    }

    /// Services that take part in the group of `label`: wanting a load balancer, ours to manage,
    /// not being deleted. Those recording a load balancer id first (they joined before), then
    /// oldest first, so a newcomer never displaces an existing member.
    func groupMembers(label: String) -> [Service] {
        var members: [Service] = []
        services.cache.forEach { candidate in
            guard Self.wantsLoadBalancer(candidate), candidate.metadata.deletionTimestamp == nil,
                  !Self.isHandsOff(candidate), Self.sharedLabel(of: candidate) == label
            else { return }
            members.append(candidate)
        }
        return members.sorted { a, b in
            let joinedA = !recordedIDs(a).isEmpty, joinedB = !recordedIDs(b).isEmpty
            if joinedA != joinedB { return joinedA }
            let createdA = a.metadata.creationTimestamp ?? .distantFuture, createdB = b.metadata.creationTimestamp ?? .distantFuture
            if createdA != createdB { return createdA < createdB }
            return a.key < b.key
        }
    }

    /// Other Services that still use `loadBalancer`: live members of the group its label names,
    /// and any live Service recording its id.
    func referencingServices(_ loadBalancer: LoadBalancer, besides service: Service) -> [Service] {
        var found: [Service] = []
        services.cache.forEach { other in
            guard other.metadata.uid != service.metadata.uid, Self.wantsLoadBalancer(other),
                  other.metadata.deletionTimestamp == nil, !Self.isHandsOff(other)
            else { return }
            if recordedIDs(other).contains(loadBalancer.id) || Self.sharedLabel(of: other) == loadBalancer.label {
                found.append(other)
            }
        }
        return found
    }

    /// Ensures the load balancer of a Service with a `label`: the union of the group's accepted
    /// members. A Service that conflicts with members accepted before it gets a
    /// `SharedLoadBalancerConflict` Warning and the load balancer is not touched.
    func ensureShared(_ service: Service, plan: LoadBalancerPlan, label: String, targets: Targets, uidLabel: String) async throws -> ReconcileResult {
        let members = groupMembers(label: label)
        let others = members.filter { $0.metadata.uid != service.metadata.uid }
        guard !others.isEmpty else {
            try await addFinalizer(service)
            return try await apply(plan, to: service, uidLabel: uidLabel, group: [])
        }
        var shared: SharedLoadBalancerPlan?
        let ordered = members.contains { $0.metadata.uid == service.metadata.uid } ? members : members + [service]
        for member in ordered {
            let isSelf = member.metadata.uid == service.metadata.uid
            let memberPlan: LoadBalancerPlan
            if isSelf {
                memberPlan = plan
            } else {
                // A member whose own settings cannot be used now is left out (its own pass reports why).
                guard let options = try? LoadBalancerOptions(annotations: member.metadata.annotations),
                      let memberUID = LoadBalancerName.uidLabel(for: member),
                      let built = try? await makePlan(for: member, options: options, targets: targets, uidLabel: memberUID)
                else { continue }
                memberPlan = built
            }
            guard var current = shared else {
                shared = SharedLoadBalancerPlan(first: memberPlan, member: member.key)
                continue
            }
            if let conflict = current.conflict(with: memberPlan, member: member.key) {
                if isSelf {
                    logger.warning("refused to join a shared load balancer", metadata: [
                        "service.key": "\(service.key)", "lb.label": "\(label)", "reason": "\(conflict)",
                    ])
                    await warn(service, "SharedLoadBalancerConflict", "Cannot share load balancer \"\(label)\": \(conflict); load balancer left unchanged")
                    return .done
                }
                continue
            }
            current.add(memberPlan, member: member.key)
            shared = current
        }
        guard var merged = shared?.plan else { return .done }
        merged.spec.label = label
        // The fingerprint covers settings every accepted member agrees on: this Service's is theirs.
        merged.fingerprint = plan.fingerprint
        try await addFinalizer(service)
        return try await apply(merged, to: service, uidLabel: uidLabel, group: others)
    }

    /// Queues the other members of the groups `services` belong to (a member left or changed:
    /// the load balancer's rules and refused members need another look).
    func enqueueGroups(of changed: [Service]) {
        let labels = Set(changed.compactMap(Self.sharedLabel(of:)))
        guard !labels.isEmpty else { return }
        let keys = Set(changed.map(\.key))
        services.cache.forEach { other in
            guard !keys.contains(other.key), let label = Self.sharedLabel(of: other), labels.contains(label) else { return }
            queue.add(other.key)
        }
    }

    /// IPv6 ingress only for Services that ask for IPv6: `spec.ipFamilies` contains `IPv6`, or
    /// `spec.ipFamilyPolicy` is `PreferDualStack`/`RequireDualStack` (as Vultr's CCM decides).
    static func wantsIPv6(_ service: Service) -> Bool {
        let spec = service.spec.json
        let families = spec["ipFamilies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if families.contains("IPv6") { return true }
        let policy = spec["ipFamilyPolicy"]?.stringValue
        return policy == "PreferDualStack" || policy == "RequireDualStack"
    }
}
