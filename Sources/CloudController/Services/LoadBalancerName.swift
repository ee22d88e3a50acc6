import Kubernetes

/// The label a Service's load balancer is created under: `a` + the Service UID without dashes,
/// cut to 32 characters (the upstream cloud-provider framework's default name, which Vultr's
/// CCM uses too). It ties the load balancer to the Service UID, so it survives renames of the
/// label annotation and restarts of the controller.
enum LoadBalancerName {
    static func uidLabel(for service: Service) -> String? {
        guard let uid = service.metadata.uid, !uid.isEmpty else { return nil }
        return String(("a" + uid.filter { $0 != "-" }).prefix(32))
    }
}
