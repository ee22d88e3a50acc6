import Foundation
import CloudAPI
import Kubernetes

/// The load balancer a Service asks for: its spec built from the Service, its annotations and
/// the target instances, plus the digest of what the cloud does not report back.
struct LoadBalancerPlan: Sendable {
    var spec: LoadBalancerSpec
    var fingerprint: Fingerprint

    /// Why a Service cannot have the load balancer it asks for (other than its annotations).
    struct Problem: Error, Sendable, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let kubeProxyHealthPort = 10256

    /// - Parameter label: the label the load balancer should carry now.
    init(
        service: Service, options: LoadBalancerOptions, instanceIDs: [String], region: String, label: String,
        certificate: LoadBalancer.TLSCertificate?, defaultVPC: String?,
        firewallOverride: [LoadBalancer.FirewallRule]? = nil
    ) throws(AnnotationError) {
        // Problems with the Service itself are reported like annotation problems, under the field's path.
        let spec = service.spec
        guard !spec.ports.isEmpty else { throw AnnotationError(key: "spec.ports", message: "a load balancer needs at least one port") }
        var rules: [LoadBalancer.ForwardingRule] = []
        for port in spec.ports {
            guard let number = port.port, let nodePort = port.nodePort else {
                throw AnnotationError(
                    key: "spec.ports", message: "port \(port.name ?? "?") has no nodePort (allocateLoadBalancerNodePorts: false is not supported)")
            }
            if port.protocol == "SCTP" {
                throw AnnotationError(key: "spec.ports", message: "SCTP port \(number) cannot be load balanced")
            }
            rules.append(Self.rule(port: number, nodePort: nodePort, serviceProtocol: port.protocol ?? "TCP", options: options))
        }
        var ruleOptions = options
        if let firewallOverride { ruleOptions.firewallRules = firewallOverride }
        let firewall = try Self.firewallRules(spec.loadBalancerSourceRanges, ports: spec.ports.compactMap(\.port), options: ruleOptions)
        let vpc: String?
        if Self.needsInstanceVPC(options) {
            guard let defaultVPC else {
                let annotations = service.metadata.annotations
                let vpcSet = (try? LoadBalancerAnnotations.vpc.explicitValue(in: annotations)) != nil
                throw AnnotationError(
                    key: (vpcSet ? LoadBalancerAnnotations.vpc : LoadBalancerAnnotations.privateNetwork).keyUsed(in: annotations),
                    message: "'\(options.vpc ?? "")' means the VPC of the instance the controller runs on, which is not known; give the VPC id")
            }
            vpc = defaultVPC
        } else {
            vpc = options.vpc.flatMap { $0.lowercased() == "false" ? nil : $0 }
        }
        self.spec = LoadBalancerSpec(
            region: region, label: label, instanceIDs: instanceIDs.sorted(), forwardingRules: rules,
            firewallRules: firewall, healthCheck: Self.healthCheck(service: service, options: options),
            balancingAlgorithm: options.algorithm, stickySessionCookie: options.stickySessionCookie,
            proxyProtocol: options.proxyProtocol, sslRedirect: options.sslRedirect, ssl: certificate, vpc: vpc,
            nodes: options.nodeCount, http2: options.http2, http3: options.http3, timeoutSeconds: options.timeoutSeconds)
        var fingerprint = Fingerprint()
        fingerprint.add(certificate?.certificate ?? "")
        fingerprint.add(certificate?.privateKey ?? "")
        fingerprint.add(certificate?.chain ?? "")
        fingerprint.add("\(options.http2),\(options.http3),\(options.timeoutSeconds)")
        self.fingerprint = fingerprint
    }

    /// Whether the `vpc` (or `private-network`) value asks for the VPC of the instance the
    /// controller runs on: any value but `false` and a VPC id (a UUID), as Vultr's CCM reads it.
    static func needsInstanceVPC(_ options: LoadBalancerOptions) -> Bool {
        guard let value = options.vpc, value.lowercased() != "false" else { return false }
        return UUID(uuidString: value) == nil
    }

    /// One rule per Service port: `port` → `nodePort`, protocols from the annotations, UDP ports as `udp`.
    static func rule(port: Int, nodePort: Int, serviceProtocol: String, options: LoadBalancerOptions) -> LoadBalancer.ForwardingRule {
        let frontend: LoadBalancer.TrafficProtocol =
            if serviceProtocol == "UDP" { .udp }
            else if options.httpsPorts.contains(port) { options.sslPassThrough ? .tcp : .https }
            else { options.frontendProtocol }
        let backend: LoadBalancer.TrafficProtocol =
            switch (frontend, options.backendProtocol) {
            case (.udp, _): .udp
            case (.tcp, _): .tcp
            case (.http, .https?), (.https, .https?): .https
            case (.http, .http?), (.https, .http?): .http
            case (.http, _): .http
            case (.https, _): .https
            }
        return .init(frontendProtocol: frontend, frontendPort: port, backendProtocol: backend, backendPort: nodePort)
    }

    /// `spec.loadBalancerSourceRanges` × frontend ports, then the annotation's rules; sorted.
    static func firewallRules(_ ranges: [String], ports: [Int], options: LoadBalancerOptions) throws(AnnotationError) -> [LoadBalancer.FirewallRule] {
        var rules = Set(options.firewallRules)
        for range in ranges {
            let trimmed = range.trimmingCharacters(in: .whitespaces)
            guard let family = CIDR.family(of: trimmed) else {
                throw AnnotationError(key: "spec.loadBalancerSourceRanges", message: "'\(range)' is not a CIDR")
            }
            for port in ports { rules.insert(.init(port: port, source: trimmed, isIPv6: family == .v6)) }
        }
        return rules.sorted { ($0.port, $0.source) < ($1.port, $1.source) }
    }

    /// ETP Local: HTTP `/healthz` on `healthCheckNodePort`; otherwise HTTP on kube-proxy's
    /// `:10256/healthz`. Annotations override each part.
    static func healthCheck(service: Service, options: LoadBalancerOptions) -> LoadBalancer.HealthCheck {
        let local = service.spec.externalTrafficPolicy == "Local"
        let port = options.healthCheckPort ?? (local ? service.spec.healthCheckNodePort : nil) ?? kubeProxyHealthPort
        let proto = options.healthCheckProtocol ?? (options.healthCheckPort != nil && options.healthCheckPath == nil ? .tcp : .http)
        return .init(
            protocol: proto, port: port, path: proto == .tcp ? "" : (options.healthCheckPath ?? "/healthz"),
            checkIntervalSeconds: options.healthCheckInterval, responseTimeoutSeconds: options.healthCheckResponseTimeout,
            unhealthyThreshold: options.healthCheckUnhealthyThreshold, healthyThreshold: options.healthCheckHealthyThreshold)
    }
}
