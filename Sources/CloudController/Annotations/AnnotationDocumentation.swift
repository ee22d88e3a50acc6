/// Renders `docs/annotations.md` from ``LoadBalancerAnnotations/all``; a test keeps the
/// committed file equal to this output (`MOORING_UPDATE_DOCS=1` rewrites it).
public enum AnnotationDocumentation {
    public static func render(_ annotations: [AnnotationInfo] = LoadBalancerAnnotations.all) -> String {
        var out = """
            # Service annotations (load balancers)

            <!-- Generated from Sources/CloudController/Annotations/LoadBalancerAnnotations.swift by
                 hack/update-annotations-doc.sh. Do not edit by hand. -->

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
