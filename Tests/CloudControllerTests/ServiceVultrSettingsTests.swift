import CloudAPI
import CloudController
import Foundation
import Kubernetes
import Synchronization
import Testing

/// Vultr's annotations that reach outside the Service: `vpc: "true"` (the controller's instance's
/// VPC), `firewall-rules-cm` (a watched ConfigMap), `auto-ssl` (a Secret), and IPv6 ingress by
/// the Service's IP families.
@Suite(.serialized)
struct ServiceVultrSettingsTests {
    static let vultr = "service.beta.kubernetes.io/vultr-loadbalancer-"
    static let mooring = "loadbalancer.mooring.dev/"
    static let vpcID = "8d2f7c1a-4b3e-4f5a-9c6d-1e2f3a4b5c6d"

    @Test func vpcTrueLandsOnTheControllersInstanceVPCReadOnce() async throws {
        let lookups = Mutex(0)
        try await ServiceHarness.with(configure: { configuration in
            configuration.instanceVPC = {
                lookups.withLock { $0 += 1 }
                return Self.vpcID
            }
        }) { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: [Self.vultr + "vpc": "true"])
            try await h.createService("old", ports: [ServicePort(name: "http", port: 80, nodePort: 30081)], annotations: [Self.vultr + "private-network": "true"])
            try await h.createService("named", ports: [ServicePort(name: "http", port: 80, nodePort: 30082)], annotations: [Self.vultr + "vpc": "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b"])
            try await h.waitUntilPublished("web", "old", "named")
            #expect(try await h.loadBalancer(of: "web")?.vpc == Self.vpcID)
            #expect(try await h.loadBalancer(of: "old")?.vpc == Self.vpcID)
            #expect(try await h.loadBalancer(of: "named")?.vpc == "0a9e3c1e-8f0b-4d52-b7a4-2f3d1c5e6a7b")
            #expect(lookups.withLock { $0 } == 1, "the metadata service is asked once")
        }
    }

    @Test func vpcTrueWithAnUnreadableMetadataServiceIsAWarningAndARetry() async throws {
        let answer = Mutex<String?>(nil)
        try await ServiceHarness.with(configure: { configuration in
            configuration.instanceVPC = {
                guard let vpc = answer.withLock({ $0 }) else { throw CloudError(code: .transport, message: "connection refused", path: "GET /v1.json") }
                return vpc
            }
        }) { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: [Self.vultr + "vpc": "true"])
            try await h.eventually("a Warning naming the metadata service") {
                try await h.events("web", reason: "SyncLoadBalancerFailed").contains { $0.message?.contains("metadata service") == true }
            }
            #expect(try await h.api.loadBalancers().isEmpty, "no load balancer without its VPC")
            answer.withLock { $0 = Self.vpcID }
            try await h.eventually("retried once the metadata service answers", timeout: .seconds(30)) {
                try await h.loadBalancer(of: "web")?.vpc == Self.vpcID
            }
        }
    }

    static func firewallConfigMap(_ rules: String) -> ConfigMap {
        var configMap = ConfigMap(json: [:])
        configMap.json["apiVersion"] = "v1"
        configMap.json["kind"] = "ConfigMap"
        configMap.json["metadata"] = ["name": "fw", "namespace": "default"]
        configMap.data = ["firewallRules": rules]
        return configMap
    }

    @Test func aFirewallConfigMapOverridesTheAnnotationAndAnEditReachesTheLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            _ = try await h.client.create(Self.firewallConfigMap("v4:\n  - source: 10.0.0.0/8\n    port: 80\n"))
            try await h.createService("web", annotations: [
                Self.vultr + "firewall-rules-cm": "fw", Self.vultr + "firewall-rules": "192.0.2.0/24,80",
            ])
            try await h.waitUntilPublished("web")
            #expect(try await h.loadBalancer(of: "web")?.firewallRules == [.init(port: 80, source: "10.0.0.0/8")])
            try await h.settle()
            h.counting.reset()
            _ = try await h.client.modify(ConfigMap.self, name: "fw", namespace: "default") { configMap in
                configMap.data = ["firewallRules": "v4:\n  - source: 172.16.0.0/12\n    port: 80\nv6:\n  - source: 2001:db8::/32\n    port: 80\n"]
                return true
            }
            try await h.eventually("the edit reaches the load balancer (no resync needed)", timeout: .seconds(10)) {
                try await Set(h.loadBalancer(of: "web")?.firewallRules ?? [])
                    == [.init(port: 80, source: "172.16.0.0/12"), .init(port: 80, source: "2001:db8::/32", isIPv6: true)]
            }
            #expect(h.counting.count(.update) == 1)
        }
    }

    @Test func aMissingOrBadFirewallConfigMapIsAWarningAndNothingChanges() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: [Self.vultr + "firewall-rules-cm": "fw"])
            try await h.eventually("a Warning naming the missing ConfigMap") {
                try await h.events("web", reason: "SyncLoadBalancerFailed").contains { $0.message?.contains("ConfigMap default/fw") == true }
            }
            #expect(try await h.api.loadBalancers().isEmpty)
            _ = try await h.client.create(Self.firewallConfigMap("v4:\n  - source: not-a-cidr\n    port: 80\n"))
            try await h.eventually("a Warning naming the bad entry") {
                try await h.events("web", reason: "InvalidAnnotation").contains { $0.message?.contains("not-a-cidr") == true }
            }
            #expect(try await h.api.loadBalancers().isEmpty)
            _ = try await h.client.modify(ConfigMap.self, name: "fw", namespace: "default") { configMap in
                configMap.data = ["firewallRules": "v4:\n  - source: cloudflare\n    port: 80\n"]
                return true
            }
            try await h.waitUntilPublished("web")
            #expect(try await h.loadBalancer(of: "web")?.firewallRules == [.init(port: 80, source: "cloudflare")])
        }
    }

    @Test func ipv6IngressOnlyForServicesAskingForIPv6() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("v4")
            try await h.createService("families", ports: [ServicePort(name: "http", port: 80, nodePort: 30081)]) {
                $0.spec.json["ipFamilies"] = ["IPv4", "IPv6"]
            }
            try await h.createService("policy", ports: [ServicePort(name: "http", port: 80, nodePort: 30082)]) {
                $0.spec.json["ipFamilyPolicy"] = "PreferDualStack"
            }
            try await h.waitUntilPublished("v4", "families", "policy")
            let plain = try #require(try await h.loadBalancer(of: "v4"))
            #expect(plain.ipv6 != nil, "the local cloud gives every load balancer an IPv6 address")
            #expect(try await h.service("v4")?.status.loadBalancerIngress.map(\.ip) == [plain.ipv4])
            for name in ["families", "policy"] {
                let lb = try #require(try await h.loadBalancer(of: name))
                #expect(try await h.service(name)?.status.loadBalancerIngress.map(\.ip) == [lb.ipv4, lb.ipv6])
            }
        }
    }

    @Test func ipModeIsProxyOnlyWhenTheLoadBalancerMustSeeTheTraffic() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("plain")
            try await h.createService(
                "proxied", ports: [ServicePort(name: "http", port: 80, nodePort: 30081)], annotations: [Self.vultr + "proxy-protocol": "true"])
            try await h.waitUntilPublished("plain", "proxied")
            #expect(try await h.service("plain")?.status.loadBalancerIngress.map(\.ipMode) == ["VIP"])
            #expect(try await h.service("proxied")?.status.loadBalancerIngress.map(\.ipMode) == ["Proxy"])
            // Turning the PROXY protocol off turns the mode back.
            try await h.updateService("proxied") { $0.metadata.annotations[Self.vultr + "proxy-protocol"] = "false" }
            try await h.eventually("VIP again") {
                try await h.service("proxied")?.status.loadBalancerIngress.map(\.ipMode) == ["VIP"]
            }
        }
    }

    @Test func ipModeAnnotationDecidesTheModeAndABadValueIsAnEvent() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("chosen", annotations: [Self.mooring + "ip-mode": "proxy"])
            try await h.createService(
                "tls-vip", ports: [ServicePort(name: "http", port: 80, nodePort: 30082)],
                annotations: [Self.vultr + "proxy-protocol": "true", Self.mooring + "ip-mode": "VIP"])
            try await h.waitUntilPublished("chosen", "tls-vip")
            #expect(try await h.service("chosen")?.status.loadBalancerIngress.map(\.ipMode) == ["Proxy"])
            #expect(try await h.service("tls-vip")?.status.loadBalancerIngress.map(\.ipMode) == ["VIP"])
            // Removing the annotation returns to the derived mode.
            try await h.updateService("chosen") { $0.metadata.annotations[Self.mooring + "ip-mode"] = nil }
            try await h.eventually("VIP once the annotation is gone") {
                try await h.service("chosen")?.status.loadBalancerIngress.map(\.ipMode) == ["VIP"]
            }
            // An unknown mode is refused with an InvalidAnnotation Warning naming the key; the address stays.
            try await h.updateService("chosen") { $0.metadata.annotations[Self.mooring + "ip-mode"] = "direct" }
            try await h.eventually("InvalidAnnotation event") {
                try await h.events("chosen", reason: "InvalidAnnotation").contains {
                    $0.type == "Warning" && $0.message?.contains(Self.mooring + "ip-mode") == true
                        && $0.message?.contains("'direct' is not one of proxy, vip") == true
                }
            }
            #expect(try await h.service("chosen")?.status.loadBalancerIngress.map(\.ipMode) == ["VIP"])
        }
    }
}
