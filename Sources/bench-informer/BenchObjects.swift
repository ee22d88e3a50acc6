import Kubernetes

/// Objects shaped like a real cluster's: nodes with labels, annotations, conditions, addresses,
/// capacity, node info and an image list (about 4 KiB of JSON each); services with ports,
/// selectors and load-balancer status (about 1 KiB).
enum BenchObjects {
    static func node(_ index: Int) -> JSONObject {
        let name = "node-\(index)"
        var node = Node(name: name)
        node.metadata.labels = [
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": "vc2-4c-8gb", "beta.kubernetes.io/instance-type": "vc2-4c-8gb",
            "topology.kubernetes.io/region": "ewr", "failure-domain.beta.kubernetes.io/region": "ewr",
            "vke.vultr.com/node-pool": "pool-\(index % 7)",
        ]
        node.metadata.annotations = [
            "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            "csi.volume.kubernetes.io/nodeid": #"{"block.csi.vultr.com":"\#(index)"}"#,
            "alpha.kubernetes.io/provided-node-ip": "10.1.\(index / 256).\(index % 256)",
        ]
        node.spec.providerID = "vultr://\(index)-aaaa-bbbb-cccc-dddddddddddd"
        node.spec.podCIDR = "10.244.\(index % 256).0/24"
        node.spec.podCIDRs = ["10.244.\(index % 256).0/24"]
        var status = NodeStatus()
        status.addresses = [
            NodeAddress(type: "Hostname", address: name), NodeAddress(type: "InternalIP", address: "10.1.\(index / 256).\(index % 256)"),
            NodeAddress(type: "ExternalIP", address: "203.0.\(index / 256).\(index % 256)"),
        ]
        status.conditions = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready", "NetworkUnavailable"].map { type in
            var condition = NodeCondition(
                type: type, status: type == "Ready" ? "True" : "False", reason: "Kubelet\(type)",
                message: "kubelet reports \(type) state")
            condition.lastHeartbeatTime = nil
            return condition
        }
        status.capacity = ["cpu": "4", "memory": "8148012Ki", "pods": "110", "ephemeral-storage": "163818244Ki", "hugepages-2Mi": "0"]
        status.allocatable = ["cpu": "4", "memory": "8045612Ki", "pods": "110", "ephemeral-storage": "150972587354", "hugepages-2Mi": "0"]
        status.json["nodeInfo"] = [
            "architecture": "amd64", "bootID": .string("b00t-\(index)"), "containerRuntimeVersion": "containerd://1.7.13",
            "kernelVersion": "6.1.0-18-amd64", "kubeProxyVersion": "v1.29.2", "kubeletVersion": "v1.29.2",
            "machineID": .string("m\(index)"), "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
            "systemUUID": .string("uuid-\(index)"),
        ]
        status.json["images"] = .array(
            (0..<8).map { image in
                [
                    "names": [.string("registry.k8s.io/image-\(image)@sha256:\(String(repeating: "ab", count: 32))"), .string("registry.k8s.io/image-\(image):v1.\(image)")],
                    "sizeBytes": .int(Int64(10_000_000 + image)),
                ]
            })
        node.status = status
        return node.json
    }

    static func service(_ index: Int) -> JSONObject {
        var service = Service(name: "svc-\(index)", namespace: "ns-\(index % 20)")
        service.metadata.labels = ["app": "app-\(index)", "tier": "web"]
        service.metadata.annotations = ["service.beta.kubernetes.io/vultr-loadbalancer-protocol": "http"]
        service.metadata.finalizers = ["service.kubernetes.io/load-balancer-cleanup"]
        service.spec.type = index % 4 == 0 ? "LoadBalancer" : "ClusterIP"
        service.spec.selector = ["app": "app-\(index)"]
        service.spec.clusterIP = "10.96.\(index / 256).\(index % 256)"
        service.spec.ports = [ServicePort(name: "http", port: 80, nodePort: 30000 + index % 2000), ServicePort(name: "https", port: 443)]
        service.spec.externalTrafficPolicy = "Cluster"
        if index % 4 == 0 { service.status.loadBalancerIngress = [LoadBalancerIngress(ip: "198.51.100.\(index % 256)")] }
        return service.json
    }
}
