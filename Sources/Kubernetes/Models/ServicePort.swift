/// An entry of `spec.ports` on a service.
public struct ServicePort: JSONBacked {
    public var json: JSONObject
    public init(json: JSONObject) { self.json = json }

    public init(name: String? = nil, protocol: String = "TCP", port: Int, nodePort: Int? = nil) {
        self.json = [:]
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.nodePort = nodePort
    }

    public var name: String? { get { value("name") } set { setValue("name", newValue) } }
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String? { get { value("protocol") } set { setValue("protocol", newValue) } }
    public var port: Int? { get { value("port") } set { setValue("port", newValue) } }
    public var nodePort: Int? { get { value("nodePort") } set { setValue("nodePort", newValue) } }
    /// `targetPort` may be a number or a name, so it stays raw.
    public var targetPort: JSONValue? { get { json["targetPort"] } set { json["targetPort"] = newValue } }
}
