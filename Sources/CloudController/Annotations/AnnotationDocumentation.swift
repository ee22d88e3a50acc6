/// Renders `docs/annotations.md` from ``LoadBalancerAnnotations/all``; a test keeps the
/// committed file equal to this output (`MOORING_UPDATE_DOCS=1` rewrites it).
public enum AnnotationDocumentation {
    public static func render(_ annotations: [AnnotationInfo] = LoadBalancerAnnotations.all) -> String {
        var out = """
            # Service annotations (load balancers)

            <!-- Generated from Sources/CloudController/Annotations/LoadBalancerAnnotations.swift by
                 hack/generate/update-annotations-doc.sh. Do not edit by hand. -->

            The service controller of `cloud-controller-manager` manages a cloud load balancer for every
            Service with `spec.type: LoadBalancer` and no `spec.loadBalancerClass`. These annotations tune
            it. Every setting has two keys: Mooring's own (`\(Annotation<Bool>.mooringPrefix)<name>`) and
            Vultr's (`\(Annotation<Bool>.vultrPrefix)<name>`), so manifests written for Vultr's
            cloud controller manager work unchanged. If both keys are set they must agree.

            An annotation with a value that cannot be used produces a Warning event on the Service that
            names the annotation (`kubectl describe service`), and the load balancer is left as it is
            until the value is fixed.


            """
        let rows = annotations.filter { !$0.isManaged }
        out += "| Mooring key | Vultr key | type | default | meaning |\n|---|---|---|---|---|\n"
        for info in rows { out += row(info) }
        out += """

            ## Written by the controller

            | Mooring key | Vultr key | type | default | meaning |
            |---|---|---|---|---|

            """
        for info in annotations where info.isManaged { out += row(info) }
        out += """

            The controller writes the id under Vultr's key and also reads the key older releases of Vultr's
            CCM wrote (`\(LoadBalancerAnnotations.legacyIDKey)`).

            ## How the controller finds and changes a load balancer

            - It adds the finalizer `service.kubernetes.io/load-balancer-cleanup` before creating anything,
              and removes it only once the cloud has confirmed the load balancer gone (deleted, or a 404).
              A cloud error while deleting keeps the finalizer, records a `DeleteLoadBalancerFailed`
              Warning and retries with backoff (5 s doubling to 300 s). A failed lookup never leads to a
              delete or a second create.
            - It finds the load balancer by the id annotation, then by the label `a` + Service UID (what it
              creates under), then, when a custom `label` was applied and the id annotation was lost, by
              that label if exactly one load balancer carries it and no other Service records its id.
            - Each pass compares the wanted load balancer with the actual one field by field and sends one
              update only when something differs; nothing is ever deleted and created again to change
              it. Changes wait while the load balancer is `pending`, which is looked at again every
              `pendingRequeue` (5 s) until it is active and its address can be published. The region
              cannot change (a `LoadBalancerRegionMismatch` Warning says so).
            - Targets are the nodes that are Ready, have a `vultr://` provider ID, are not being deleted and
              lack the label `node.kubernetes.io/exclude-from-external-load-balancers`. A change in that set
              updates every load balancer once; heartbeats change nothing.
            - Every `lbResyncPeriod` (10 minutes by default) one list of load balancers is compared with
              every Service, repairing drift; at rest that is one call per 100 (the client's page size)
              load balancers, and no other call.
            - `status.loadBalancer.ingress` carries the IPv4 address, and the IPv6 address too when the
              Service asks for IPv6 (`spec.ipFamilies` contains `IPv6`, or `spec.ipFamilyPolicy` is
              `PreferDualStack` or `RequireDualStack`), as Vultr's CCM decides. Each address carries
              `ipMode: Proxy` when the load balancer must see the traffic itself (`proxy-protocol`, or an
              `https` frontend terminating TLS), so kube-proxy sends in-cluster clients through it, and
              `ipMode: VIP` otherwise; `loadbalancer.mooring.dev/ip-mode` chooses either.
            - Events: `EnsuringLoadBalancer`, `EnsuredLoadBalancer`, `SyncLoadBalancerFailed` (Warning),
              `InvalidAnnotation` (Warning), `UnAvailableLoadBalancer` (Warning, no target nodes),
              `SharedLoadBalancerConflict` (Warning), `LeftSharedLoadBalancer`,
              `DeletingLoadBalancer`, `DeletedLoadBalancer`, `DeleteLoadBalancerFailed` (Warning).

            ## Shared load balancers

            Services with the same `label` share one load balancer, as with Vultr's CCM. The group is
            derived from the Services themselves each time (no state kept on the load balancer): the
            Services that want a load balancer, are not being deleted and carry the label. The members
            that already record the load balancer's id come first, then the others oldest first; each is
            checked against those before it, and its rules are added when it agrees with them.

            - A member whose frontend port another member forwards differently, or whose
              load-balancer-wide settings differ (health check, algorithm, sticky sessions, PROXY
              protocol, ssl redirect, TLS certificate, `auto-ssl`, VPC, node count, HTTP/2, HTTP/3,
              timeout), gets a `SharedLoadBalancerConflict` Warning naming the port or settings and the
              member it conflicts with; the load balancer is left as it was and the Service publishes no
              address. It is looked at again whenever a member changes or leaves. (Vultr's CCM applies
              the last writer's settings instead.) Services with `externalTrafficPolicy: Local` have
              their own health-check node port, so two of them cannot share a load balancer.
            - The first member creates it (under its UID label, renamed to the shared label once
              active); the others find it by an id a member records, by the shared label, or by a
              member's UID label, so members created at the same moment still make one. Every change to
              a group's load balancer is made under one lock per label.
            - A member that is deleted, stops being a load balancer or changes its label leaves: the
              load balancer is kept while another Service references it (a member, or any Service
              recording its id, as seen in the synced informer cache, also right after a restart), a
              `LeftSharedLoadBalancer` event says so, and the remaining members remove its rules. The
              last member deletes it, with the same outage rules as above: nothing is deleted while the
              cloud cannot confirm it.

            Not supported: removing a certificate or leaving a VPC once applied (the cloud's update
            cannot express either; delete and re-create the Service).

            """
        return out
    }

    private static func row(_ info: AnnotationInfo) -> String {
        let vultr = info.vultrKey.map { "`\($0)`" } ?? "—"
        return "| `\(info.key)` | \(vultr) | \(info.type) | \(info.defaultDescription) | \(info.summary.replacingPipes) |\n"
    }
}

extension String {
    fileprivate var replacingPipes: String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
}
