/// `v1.ServiceSpec`.
public struct ServiceSpec: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String? { get { value("type") } set { setValue("type", newValue) } }
    public var ports: [ServicePort] { get { value("ports") ?? [] } set { setValue("ports", newValue) } }
    public var selector: [String: String] {
        get { value("selector") ?? [:] }
        set { setValue("selector", newValue.isEmpty ? nil : newValue) }
    }
    public var clusterIP: String? { get { value("clusterIP") } set { setValue("clusterIP", newValue) } }
    public var loadBalancerClass: String? {
        get { value("loadBalancerClass") }
        set { setValue("loadBalancerClass", newValue) }
    }
    public var loadBalancerIP: String? {
        get { value("loadBalancerIP") }
        set { setValue("loadBalancerIP", newValue) }
    }
    public var loadBalancerSourceRanges: [String] {
        get { value("loadBalancerSourceRanges") ?? [] }
        set { setValue("loadBalancerSourceRanges", newValue.isEmpty ? nil : newValue) }
    }
    /// `Cluster` or `Local`.
    public var externalTrafficPolicy: String? {
        get { value("externalTrafficPolicy") }
        set { setValue("externalTrafficPolicy", newValue) }
    }
    public var healthCheckNodePort: Int? {
        get { value("healthCheckNodePort") }
        set { setValue("healthCheckNodePort", newValue) }
    }
    public var sessionAffinity: String? {
        get { value("sessionAffinity") }
        set { setValue("sessionAffinity", newValue) }
    }
}
