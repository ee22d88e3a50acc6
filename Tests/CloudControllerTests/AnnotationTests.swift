import CloudAPI
@testable import CloudController
import Foundation
import Testing

struct AnnotationTests {
    typealias A = LoadBalancerAnnotations
    static let vultr = "service.beta.kubernetes.io/vultr-loadbalancer-"
    static let mooring = "loadbalancer.mooring.dev/"

    @Test func defaultsApplyWhenNothingIsSet() throws {
        let options = try LoadBalancerOptions(annotations: [:])
        #expect(options.create)
        #expect(options.frontendProtocol == .tcp && options.backendProtocol == nil)
        #expect(options.algorithm == .roundRobin && options.timeoutSeconds == 600 && options.nodeCount == 1)
        #expect(options.healthCheckInterval == 15 && options.healthCheckResponseTimeout == 5)
        #expect(options.healthCheckUnhealthyThreshold == 5 && options.healthCheckHealthyThreshold == 5)
        #expect(options.stickySessionCookie == nil && options.sslSecret == nil && options.firewallRules.isEmpty)
        #expect(!options.http2 && !options.http3 && !options.proxyProtocol && !options.sslRedirect)
    }

    @Test func vultrKeysParseToTheirTypes() throws {
        let options = try LoadBalancerOptions(annotations: [
            Self.vultr + "protocol": "http", Self.vultr + "backend-protocol": "HTTPS",
            Self.vultr + "https-ports": "443, 8443", Self.vultr + "ssl": "tls", Self.vultr + "ssl-redirect": "true",
            Self.vultr + "http2": "true", Self.vultr + "http3": "false", Self.vultr + "proxy-protocol": "true",
            Self.vultr + "timeout": "120", Self.vultr + "algorithm": "least_connections",
            Self.vultr + "sticky-session-enabled": "on", Self.vultr + "sticky-session-cookie-name": "sid",
            Self.vultr + "node-count": "3", Self.vultr + "vpc": "vpc-1",
            Self.vultr + "firewall-rules": "10.0.0.0/8,80;cloudflare,443;2001:db8::/48,443",
            Self.vultr + "healthcheck-protocol": "tcp", Self.vultr + "healthcheck-port": "8080",
            Self.vultr + "healthcheck-path": "/ready", Self.vultr + "healthcheck-check-interval": "10",
            Self.vultr + "healthcheck-response-timeout": "3", Self.vultr + "healthcheck-unhealthy-threshold": "2",
            Self.vultr + "healthcheck-healthy-threshold": "4", Self.vultr + "label": "shop",
            Self.vultr + "hostname": "Shop.Example.com", Self.vultr + "create": "true",
        ])
        #expect(options.frontendProtocol == .http && options.backendProtocol == .https)
        #expect(options.httpsPorts == [443, 8443] && options.sslSecret == "tls" && options.sslRedirect)
        #expect(options.http2 && !options.http3 && options.proxyProtocol && options.timeoutSeconds == 120)
        #expect(options.algorithm == .leastConnections && options.stickySessionCookie == "sid" && options.nodeCount == 3)
        #expect(options.vpc == "vpc-1" && options.label == "shop" && options.hostname == "shop.example.com")
        #expect(options.firewallRules == [
            .init(port: 80, source: "10.0.0.0/8"), .init(port: 443, source: "cloudflare"),
            .init(port: 443, source: "2001:db8::/48", isIPv6: true),
        ])
        #expect(options.healthCheckProtocol == .tcp && options.healthCheckPort == 8080 && options.healthCheckPath == "/ready")
        #expect(options.healthCheckInterval == 10 && options.healthCheckResponseTimeout == 3)
        #expect(options.healthCheckUnhealthyThreshold == 2 && options.healthCheckHealthyThreshold == 4)
    }

    @Test func mooringKeysWorkAndMustAgreeWithVultrKeys() throws {
        #expect(try LoadBalancerOptions(annotations: [Self.mooring + "timeout": "42"]).timeoutSeconds == 42)
        #expect(try LoadBalancerOptions(annotations: [Self.mooring + "timeout": "42", Self.vultr + "timeout": "42"]).timeoutSeconds == 42)
        let error = #expect(throws: LoadBalancerOptions.Errors.self) {
            try LoadBalancerOptions(annotations: [Self.mooring + "timeout": "42", Self.vultr + "timeout": "43"])
        }
        #expect(error?.errors.map(\.key) == [Self.mooring + "timeout"])
        #expect(error?.description.contains(Self.vultr + "timeout") == true)
    }

    @Test(arguments: [
        ("protocol", "sctp"), ("backend-protocol", "quic"), ("https-ports", "443,x"), ("https-ports", "70000"),
        ("ssl-redirect", "maybe"), ("http2", "yes please"), ("timeout", "soon"), ("timeout", "0"),
        ("algorithm", "random"), ("sticky-session-enabled", "sometimes"), ("node-count", "2"), ("node-count", "101"),
        ("firewall-rules", "10.0.0.0/33,80"), ("firewall-rules", "10.0.0.0/8"), ("firewall-rules", "example.com,80"),
        ("healthcheck-protocol", "udp"), ("healthcheck-path", "healthz"), ("healthcheck-port", "0"),
        ("healthcheck-check-interval", "-1"), ("hostname", "not a host"), ("label", ""), ("create", "nah"),
    ])
    func invalidValuesAreErrorsNamingTheAnnotation(name: String, value: String) throws {
        let error = #expect(throws: LoadBalancerOptions.Errors.self) {
            try LoadBalancerOptions(annotations: [Self.vultr + name: value])
        }
        #expect(error?.errors.count == 1)
        #expect(error?.errors.first?.key == Self.vultr + name)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let error = #expect(throws: LoadBalancerOptions.Errors.self) {
            try LoadBalancerOptions(annotations: [
                Self.vultr + "timeout": "x", Self.vultr + "algorithm": "y", Self.vultr + "sticky-session-enabled": "on",
            ])
        }
        #expect(Set(error?.errors.map(\.key) ?? []) == [
            Self.vultr + "timeout", Self.vultr + "algorithm", Self.vultr + "sticky-session-cookie-name",
        ])
    }

    @Test func httpsPortsNeedACertificateOrPassThrough() throws {
        #expect(throws: LoadBalancerOptions.Errors.self) { try LoadBalancerOptions(annotations: [Self.vultr + "https-ports": "443"]) }
        let passThrough = try LoadBalancerOptions(annotations: [Self.vultr + "https-ports": "443", Self.vultr + "ssl-pass-through": "true"])
        #expect(LoadBalancerPlan.rule(port: 443, nodePort: 30443, serviceProtocol: "TCP", options: passThrough)
            == .init(frontendProtocol: .tcp, frontendPort: 443, backendProtocol: .tcp, backendPort: 30443))
    }

    @Test func forwardingRulesFollowProtocolsAsVultrDoes() throws {
        let http = try LoadBalancerOptions(annotations: [
            Self.vultr + "protocol": "http", Self.vultr + "https-ports": "443", Self.vultr + "ssl": "tls",
            Self.vultr + "backend-protocol": "http",
        ])
        #expect(LoadBalancerPlan.rule(port: 80, nodePort: 30080, serviceProtocol: "TCP", options: http)
            == .init(frontendProtocol: .http, frontendPort: 80, backendProtocol: .http, backendPort: 30080))
        #expect(LoadBalancerPlan.rule(port: 443, nodePort: 30443, serviceProtocol: "TCP", options: http)
            == .init(frontendProtocol: .https, frontendPort: 443, backendProtocol: .http, backendPort: 30443))
        // UDP Service ports are always udp rules, whatever the annotation says.
        #expect(LoadBalancerPlan.rule(port: 53, nodePort: 30053, serviceProtocol: "UDP", options: http)
            == .init(frontendProtocol: .udp, frontendPort: 53, backendProtocol: .udp, backendPort: 30053))
        let defaults = try LoadBalancerOptions(annotations: [Self.vultr + "backend-protocol": "http"])
        #expect(LoadBalancerPlan.rule(port: 80, nodePort: 30080, serviceProtocol: "TCP", options: defaults).backendProtocol == .tcp)
    }

    @Test func everyAnnotationIsDeclaredOnceWithBothKeys() {
        let keys = A.all.map(\.key) + A.all.compactMap(\.vultrKey)
        #expect(Set(keys).count == keys.count)
        for info in A.all {
            #expect(info.key.hasPrefix(Self.mooring))
            #expect(!info.summary.isEmpty && !info.type.isEmpty && !info.defaultDescription.isEmpty)
            if let vultr = info.vultrKey { #expect(vultr.hasPrefix(Self.vultr)) }
        }
        #expect(A.id.info.vultrKey == Self.vultr + "id")
    }

    /// `docs/annotations.md` is generated from the declarations; CI fails when they disagree.
    /// `MOORING_UPDATE_DOCS=1 swift test --filter AnnotationTests` (hack/generate/update-annotations-doc.sh) rewrites it.
    @Test func committedDocumentationMatchesTheDeclarations() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/annotations.md")
        let rendered = AnnotationDocumentation.render()
        if ProcessInfo.processInfo.environment["MOORING_UPDATE_DOCS"] == "1" {
            try rendered.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        #expect(committed == rendered, "docs/annotations.md is out of date: run hack/generate/update-annotations-doc.sh")
    }
}
