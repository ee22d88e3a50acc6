import CloudAPI

/// A Service's load balancer settings, read from its annotations in one pass that collects
/// every problem (``init(annotations:)`` throws all of them at once).
public struct LoadBalancerOptions: Sendable, Hashable {
    public var create: Bool
    public var label: String?
    public var hostname: String?
    /// `ip-mode` when set: `Proxy` or `VIP`.
    public var ipMode: String?
    public var frontendProtocol: LoadBalancer.TrafficProtocol
    public var backendProtocol: LoadBalancer.TrafficProtocol?
    public var httpsPorts: Set<Int>
    public var sslSecret: String?
    public var sslPassThrough: Bool
    public var sslRedirect: Bool
    public var http2: Bool
    public var http3: Bool
    public var proxyProtocol: Bool
    public var timeoutSeconds: Int
    public var algorithm: LoadBalancer.BalancingAlgorithm
    /// Set when sticky sessions are on.
    public var stickySessionCookie: String?
    public var nodeCount: Int
    /// `"true"`, `"false"` or a VPC id, as written.
    public var vpc: String?
    public var firewallRules: [LoadBalancer.FirewallRule]
    /// `firewall-rules-cm`: the ConfigMap whose rules replace ``firewallRules``.
    public var firewallRulesConfigMap: String?
    /// `auto-ssl`: the Secret naming the domain the cloud issues a certificate for.
    public var autoSSLSecret: String?
    public var healthCheckProtocol: LoadBalancer.TrafficProtocol?
    public var healthCheckPath: String?
    public var healthCheckPort: Int?
    public var healthCheckInterval: Int
    public var healthCheckResponseTimeout: Int
    public var healthCheckUnhealthyThreshold: Int
    public var healthCheckHealthyThreshold: Int

    /// Every annotation problem at once, in declaration order.
    public struct Errors: Error, Sendable, CustomStringConvertible {
        public let errors: [AnnotationError]
        public var description: String { errors.map(\.description).joined(separator: "; ") }
    }

    public init(annotations: [String: String]) throws(Errors) {
        var errors: [AnnotationError] = []
        func read<V>(_ annotation: Annotation<V>) -> V {
            do { return try annotation.value(in: annotations) } catch {
                errors.append(error)
                return annotation.defaultValue
            }
        }
        func explicit<V>(_ annotation: Annotation<V>) -> V? {
            do { return try annotation.explicitValue(in: annotations) } catch {
                errors.append(error)
                return nil
            }
        }
        typealias A = LoadBalancerAnnotations
        create = read(A.create)
        label = explicit(A.label)
        hostname = explicit(A.hostname)
        ipMode = explicit(A.ipMode)
        frontendProtocol = read(A.protocol)
        backendProtocol = read(A.backendProtocol)
        httpsPorts = read(A.httpsPorts)
        sslSecret = explicit(A.ssl)
        sslPassThrough = read(A.sslPassThrough)
        sslRedirect = read(A.sslRedirect)
        http2 = read(A.http2)
        http3 = read(A.http3)
        proxyProtocol = read(A.proxyProtocol)
        timeoutSeconds = read(A.timeout)
        algorithm = read(A.algorithm)
        let sticky = read(A.stickySessionEnabled)
        let cookie = explicit(A.stickySessionCookieName)
        stickySessionCookie = sticky ? cookie : nil
        if sticky && cookie == nil && !errors.contains(where: { $0.key.hasSuffix("sticky-session-cookie-name") }) {
            errors.append(AnnotationError(
                key: A.stickySessionCookieName.keyUsed(in: annotations),
                message: "required when \(A.stickySessionEnabled.keyUsed(in: annotations)) is on"))
        }
        nodeCount = read(A.nodeCount)
        let vpcValue = explicit(A.vpc)
        let privateNetwork = explicit(A.privateNetwork)
        if let vpcValue, let privateNetwork, vpcValue != privateNetwork {
            errors.append(AnnotationError(
                key: A.privateNetwork.keyUsed(in: annotations),
                message: "disagrees with \(A.vpc.keyUsed(in: annotations)) (its deprecated twin); set only \(A.vpc.keyUsed(in: annotations))"))
        }
        vpc = vpcValue ?? privateNetwork
        firewallRules = read(A.firewallRules)
        firewallRulesConfigMap = explicit(A.firewallRulesConfigMap)
        autoSSLSecret = explicit(A.autoSSL)
        healthCheckProtocol = explicit(A.healthCheckProtocol)
        healthCheckPath = explicit(A.healthCheckPath)
        healthCheckPort = explicit(A.healthCheckPort)
        healthCheckInterval = read(A.healthCheckInterval)
        healthCheckResponseTimeout = read(A.healthCheckResponseTimeout)
        healthCheckUnhealthyThreshold = read(A.healthCheckUnhealthyThreshold)
        healthCheckHealthyThreshold = read(A.healthCheckHealthyThreshold)
        if !httpsPorts.isEmpty && !sslPassThrough && sslSecret == nil && autoSSLSecret == nil {
            errors.append(AnnotationError(
                key: A.httpsPorts.keyUsed(in: annotations),
                message: "https frontends need a certificate: set \(A.ssl.keyUsed(in: annotations)), \(A.autoSSL.keyUsed(in: annotations)) or \(A.sslPassThrough.keyUsed(in: annotations))"))
        }
        if !errors.isEmpty { throw Errors(errors: errors) }
    }
}
