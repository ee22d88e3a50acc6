import NIOSSL

/// What one active load balancer should be doing, derived from its record, its instances and
/// its stored TLS material. The data plane diffs these against what runs.
struct BalancerSpec: Sendable, Equatable {
    enum Algorithm: String, Sendable, Equatable {
        case roundRobin = "roundrobin"
        case leastConnections = "leastconn"
    }

    struct Rule: Sendable, Equatable {
        var frontendProtocol: String
        var frontendPort: Int
        var backendProtocol: String
        var backendPort: Int
        var isUDP: Bool { frontendProtocol == "udp" }
        var listenerKey: ListenerKey { ListenerKey(port: frontendPort, udp: isUDP) }
    }

    /// A listening socket: one per frontend port and transport.
    struct ListenerKey: Sendable, Hashable, CustomStringConvertible {
        var port: Int
        var udp: Bool
        var description: String { "\(udp ? "udp" : "tcp")/\(port)" }
    }

    struct Target: Sendable, Hashable {
        var instanceID: String
        var address: String
    }

    /// As the API stores it (`check_interval`, `response_timeout` in seconds).
    typealias HealthCheck = LoadBalancerRecord.HealthCheck

    /// The certificate (chain appended) and key an `https` frontend presents.
    struct TLSMaterial: Sendable, Equatable {
        var privateKey: String
        var certificate: String
        var chain: String
    }

    var id: String
    var address: String
    var rules: [Rule]
    var targets: [Target]
    var algorithm: Algorithm
    /// PROXY protocol version sent to backends, nil for none.
    var proxyProtocol: Int?
    /// Cookie pinning HTTP clients to a target, nil for none.
    var stickyCookie: String?
    var sslRedirect: Bool
    var healthCheck: HealthCheck
    var firewall: FirewallPolicy
    var tls: TLSMaterial?

    func rule(for key: ListenerKey) -> Rule? {
        rules.first { $0.listenerKey == key }
    }
}

extension BalancerSpec.TLSMaterial {
    /// The server context for an `https` frontend; throws when the PEM text does not parse.
    func makeServerContext() throws -> NIOSSLContext {
        var certificates = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8))
        if !chain.isEmpty { certificates += try NIOSSLCertificate.fromPEMBytes(Array(chain.utf8)) }
        guard !certificates.isEmpty else { throw TLSMaterialError("the certificate holds no PEM certificate") }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKey.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }
}

/// TLS material that cannot be used.
struct TLSMaterialError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
