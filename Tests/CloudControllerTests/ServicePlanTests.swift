import CloudAPI
@testable import CloudController
import Kubernetes
import Testing

/// The pure parts of the service controller: the plan built from a Service and the diff against
/// what the cloud reports.
struct ServicePlanTests {
    static func service(_ configure: (inout Service) -> Void = { _ in }) -> Service {
        var service = Service(name: "web", namespace: "default")
        service.metadata.uid = "0f8c2a8e-5b1d-4c1e-9a57-1c9f3e2d4b6a"
        service.spec.type = "LoadBalancer"
        service.spec.ports = [ServicePort(name: "http", port: 80, nodePort: 30080)]
        configure(&service)
        return service
    }

    static func plan(_ service: Service, annotations: [String: String] = [:], instances: [String] = ["i-2", "i-1"]) throws -> LoadBalancerPlan {
        try LoadBalancerPlan(
            service: service, options: try LoadBalancerOptions(annotations: annotations), instanceIDs: instances,
            region: "ewr", label: "web-lb", certificate: nil, defaultVPC: nil)
    }

    /// What the cloud would report right after applying `plan`.
    static func actual(_ plan: LoadBalancerPlan) -> LoadBalancer {
        let spec = plan.spec
        return LoadBalancer(
            id: "lb-1", label: spec.label, region: spec.region, status: .active, ipv4: "192.0.2.1", ipv6: nil,
            instanceIDs: spec.instanceIDs.reversed(), forwardingRules: spec.forwardingRules.reversed(),
            firewallRules: spec.firewallRules, healthCheck: spec.healthCheck, balancingAlgorithm: spec.balancingAlgorithm,
            stickySessionCookie: spec.stickySessionCookie, proxyProtocol: spec.proxyProtocol, sslRedirect: spec.sslRedirect,
            hasSSL: spec.ssl != nil, nodes: spec.nodes ?? 1)
    }

    @Test func theUIDLabelIsUpstreamsDefaultName() {
        #expect(LoadBalancerName.uidLabel(for: Self.service()) == "a0f8c2a8e5b1d4c1e9a571c9f3e2d4b6")
    }

    @Test func anUnchangedLoadBalancerNeedsNoCall() throws {
        let plan = try Self.plan(Self.service { $0.spec.ports.append(ServicePort(name: "dns", protocol: "UDP", port: 53, nodePort: 30053)) })
        #expect(LoadBalancerDiff.changes(from: Self.actual(plan), to: plan, appliedFingerprint: plan.fingerprint.description).isEmpty)
    }

    @Test func eachDifferenceIsNamed() throws {
        let plan = try Self.plan(Self.service())
        var actual = Self.actual(plan)
        actual.label = "other"
        actual.instanceIDs = ["i-1"]
        actual.healthCheck.port = 1
        actual.http2 = true  // reported and different
        #expect(LoadBalancerDiff.changes(from: actual, to: plan, appliedFingerprint: plan.fingerprint.description)
            == ["label", "instances", "health_check", "http2"])
        #expect(LoadBalancerDiff.changes(from: Self.actual(plan), to: plan, appliedFingerprint: "0")
            == ["unreported settings (TLS certificate, http2, http3, timeout)"])
    }

    @Test func aTCPHealthCheckIgnoresThePathTheCloudMayReport() throws {
        let plan = try Self.plan(Self.service(), annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-healthcheck-port": "30080"])
        #expect(plan.spec.healthCheck.protocol == .tcp && plan.spec.healthCheck.port == 30080)
        var actual = Self.actual(plan)
        actual.healthCheck.path = "/"
        #expect(LoadBalancerDiff.changes(from: actual, to: plan, appliedFingerprint: plan.fingerprint.description).isEmpty)
    }

    @Test func theFingerprintFollowsTheCertificate() throws {
        let service = Self.service()
        let options = try LoadBalancerOptions(annotations: [
            "service.beta.kubernetes.io/vultr-loadbalancer-https-ports": "80", "service.beta.kubernetes.io/vultr-loadbalancer-ssl": "tls",
        ])
        func plan(_ key: String) throws -> LoadBalancerPlan {
            try LoadBalancerPlan(
                service: service, options: options, instanceIDs: [], region: "ewr", label: "l",
                certificate: .init(privateKey: key, certificate: "cert"), defaultVPC: nil)
        }
        #expect(try plan("one").fingerprint == plan("one").fingerprint)
        #expect(try plan("one").fingerprint != plan("two").fingerprint)
        #expect(!(try plan("secret-key-material").fingerprint.description.contains("secret")))
    }

    @Test func serviceFieldsTheCloudCannotServeAreRefused() {
        #expect(throws: AnnotationError.self) { try Self.plan(Self.service { $0.spec.ports = [ServicePort(port: 80)] }) }
        #expect(throws: AnnotationError.self) {
            try Self.plan(Self.service { $0.spec.ports = [ServicePort(protocol: "SCTP", port: 80, nodePort: 30080)] })
        }
        #expect(throws: AnnotationError.self) { try Self.plan(Self.service { $0.spec.loadBalancerSourceRanges = ["10.0.0.0"] }) }
    }

    static let instanceVPC = "5b4fbb52-3c3e-4a8e-a6c1-8e3f3f1b2c4d"

    /// `vpc` (and its deprecated twin `private-network`): any value but `false` or a VPC id is
    /// the controller's instance's VPC; an id is itself.
    @Test(arguments: [
        ("service.beta.kubernetes.io/vultr-loadbalancer-vpc", "true", instanceVPC),
        ("service.beta.kubernetes.io/vultr-loadbalancer-vpc", "yes", instanceVPC),
        ("service.beta.kubernetes.io/vultr-loadbalancer-private-network", "true", instanceVPC),
        ("service.beta.kubernetes.io/vultr-loadbalancer-vpc", "FALSE", nil),
        ("service.beta.kubernetes.io/vultr-loadbalancer-vpc", "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b", "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b"),
        ("loadbalancer.mooring.dev/private-network", "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b", "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b"),
    ] as [(String, String, String?)])
    func vpcTrueIsTheInstancesVPCAndAnIDIsItself(key: String, value: String, expected: String?) throws {
        let options = try LoadBalancerOptions(annotations: [key: value])
        let plan = try LoadBalancerPlan(
            service: Self.service(), options: options, instanceIDs: [], region: "ewr", label: "l", certificate: nil,
            defaultVPC: Self.instanceVPC)
        #expect(plan.spec.vpc == expected)
    }

    @Test func vpcTrueWithoutAKnownInstanceVPCNamesTheAnnotation() {
        #expect {
            let annotations = ["service.beta.kubernetes.io/vultr-loadbalancer-private-network": "true"]
            return try Self.plan(Self.service { $0.metadata.annotations = annotations }, annotations: annotations)
        } throws: { error in
            (error as? AnnotationError)?.key == "service.beta.kubernetes.io/vultr-loadbalancer-private-network"
        }
    }

    @Test func vpcAndPrivateNetworkMustAgree() {
        #expect(throws: LoadBalancerOptions.Errors.self) {
            try LoadBalancerOptions(annotations: [
                "service.beta.kubernetes.io/vultr-loadbalancer-vpc": "true",
                "service.beta.kubernetes.io/vultr-loadbalancer-private-network": "false",
            ])
        }
    }

    @Test func firewallRulesConfigMapDocument() throws {
        let text = """
            v4:
              - source: 10.0.0.0/8
                port: 80
              - source: cloudflare
                port: "443"
            v6:
              - source: 2001:db8::/32
                port: 80
            """
        let rules = try FirewallRulesDocument.parse(text).get()
        #expect(rules == [
            .init(port: 80, source: "10.0.0.0/8"), .init(port: 443, source: "cloudflare"),
            .init(port: 80, source: "2001:db8::/32", isIPv6: true),
        ])
        #expect(try FirewallRulesDocument.parse("v4: []").get().isEmpty)
    }

    @Test(arguments: [
        "v4:\n  - source: 10.0.0.0\n    port: 80", "v4:\n  - source: 2001:db8::/32\n    port: 80",
        "v6:\n  - source: 10.0.0.0/8\n    port: 80", "v4:\n  - source: 10.0.0.0/8\n    port: 70000",
        "v4:\n  - port: 80", "v5: []", "just text", "v4: {source: 10.0.0.0/8}",
    ])
    func badFirewallRulesDocumentsAreRefused(_ text: String) {
        #expect(throws: (any Error).self) { try FirewallRulesDocument.parse(text).get() }
    }

    @Test func sharedPlansConflictOnATakenPortOrDifferentSettings() throws {
        let web = try Self.plan(Self.service())
        let api = try Self.plan(Self.service { $0.spec.ports = [ServicePort(name: "http", port: 8080, nodePort: 30081)] })
        var shared = SharedLoadBalancerPlan(first: web, member: "default/web")
        #expect(shared.conflict(with: api, member: "default/api") == nil)
        shared.add(api, member: "default/api")
        #expect(Set(shared.plan.spec.forwardingRules.map(\.frontendPort)) == [80, 8080])
        let taken = try Self.plan(Self.service { $0.spec.ports = [ServicePort(name: "http", port: 80, nodePort: 30090)] })
        #expect(shared.conflict(with: taken, member: "default/admin")?.contains("frontend port 80 is already forwarded by Service default/web") == true)
        let proxied = try Self.plan(
            Self.service { $0.spec.ports = [ServicePort(name: "http", port: 9090, nodePort: 30091)] },
            annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-proxy-protocol": "true"])
        #expect(shared.conflict(with: proxied, member: "default/p")?.contains("proxy_protocol") == true)
    }

    @Test(arguments: [
        ("10.0.0.0/8", true), ("192.0.2.1/32", true), ("2001:db8::/32", true), ("::/0", true),
        ("2001:db8:0:0:0:0:0:1/128", true), ("10.0.0.0", false), ("10.0.0.256/8", false), ("10.0.0.0/33", false),
        ("2001:db8:::/32", false), ("example.com/8", false), ("2001:db8::/129", false), ("1.2.3.4/-1", false),
    ])
    func cidrsAreRecognised(text: String, valid: Bool) {
        #expect((CIDR.family(of: text) != nil) == valid)
    }
}
