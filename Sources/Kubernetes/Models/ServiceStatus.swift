/// `v1.ServiceStatus`; only `loadBalancer.ingress` is modelled.
public struct ServiceStatus: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    /// `status.loadBalancer.ingress`; setting an empty list leaves `loadBalancer: {}`.
    public var loadBalancerIngress: [LoadBalancerIngress] {
        get { json["loadBalancer"]?["ingress"].flatMap([LoadBalancerIngress].init(jsonValue:)) ?? [] }
        set {
            var loadBalancer = json["loadBalancer"]?.objectValue ?? [:]
            loadBalancer["ingress"] = newValue.isEmpty ? nil : newValue.jsonValue
            json["loadBalancer"] = .object(loadBalancer)
        }
    }
}
