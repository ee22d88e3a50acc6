/// An entry of `status.loadBalancer.ingress`.
public struct LoadBalancerIngress: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public init(ip: String? = nil, hostname: String? = nil) {
        self.json = [:]
        self.ip = ip
        self.hostname = hostname
    }

    public var ip: String? { get { value("ip") } set { setValue("ip", newValue) } }
    public var hostname: String? { get { value("hostname") } set { setValue("hostname", newValue) } }
    /// `VIP` or `Proxy`.
    public var ipMode: String? { get { value("ipMode") } set { setValue("ipMode", newValue) } }
}
