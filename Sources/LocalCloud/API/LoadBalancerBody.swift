/// The body of `POST` and `PATCH /v2/load-balancers[/{id}]` as sent (snake_case on the wire);
/// every field optional, so that a `PATCH` changes only what it names.
struct LoadBalancerBody: Decodable {
    struct HealthCheck: Decodable {
        var `protocol`: String?
        var port: Int?
        var path: String?
        var checkInterval: Int?
        var responseTimeout: Int?
        var unhealthyThreshold: Int?
        var healthyThreshold: Int?
    }
    struct Rule: Decodable {
        var frontendProtocol: String?
        var frontendPort: Int?
        var backendProtocol: String?
        var backendPort: Int?
    }
    struct Firewall: Decodable {
        var port: Int?
        var ipType: String?
        var source: String?
    }
    struct Sticky: Decodable {
        var cookieName: String?
    }
    struct AutoSSL: Decodable {
        var domainZone: String?
        var domainSub: String?
    }
    struct SSL: Decodable {
        var privateKey: String?
        var certificate: String?
        var chain: String?
    }
    var region: String?
    var label: String?
    var instances: [String]?
    var healthCheck: HealthCheck?
    var forwardingRules: [Rule]?
    var stickySession: Sticky?
    var ssl: SSL?
    var autoSsl: AutoSSL?
    var sslRedirect: Bool?
    var httpsRedirect: Bool?
    var proxyProtocol: Bool?
    /// Local-cloud extension: 1 or 2.
    var proxyProtocolVersion: Int?
    var http2: Bool?
    var http3: Bool?
    var timeout: Int?
    var balancingAlgorithm: String?
    var firewallRules: [Firewall]?
    var vpc: String?
    var nodes: Int?
}
