import CloudAPI
import CloudController
import Foundation
import Kubernetes
import LocalCloud
import Testing

/// Services sharing one load balancer through the same `label` annotation.
@Suite(.serialized)
struct SharedLoadBalancerTests {
    static let label = "service.beta.kubernetes.io/vultr-loadbalancer-label"
    static let finalizer = "service.kubernetes.io/load-balancer-cleanup"

    static func rule(_ port: Int, _ nodePort: Int) -> LoadBalancer.ForwardingRule {
        .init(frontendProtocol: .tcp, frontendPort: port, backendProtocol: .tcp, backendPort: nodePort)
    }

    /// `web` (80 → 30080) and `api` (8080 → 30081) under label `shop`, both published.
    static func publishShop(_ h: ServiceHarness) async throws -> LoadBalancer {
        try await h.addNode("node-a")
        try await h.createService("web", annotations: [label: "shop"])
        try await h.createService("api", ports: [ServicePort(name: "http", port: 8080, nodePort: 30081)], annotations: [label: "shop"])
        try await h.eventually("one load balancer carrying both Services' rules") {
            let all = try await h.api.loadBalancers()
            return all.count == 1 && Set(all[0].forwardingRules) == [rule(80, 30080), rule(8080, 30081)] && all[0].label == "shop"
        }
        try await h.waitUntilPublished("web", "api")
        return try #require(try await h.api.loadBalancers().first)
    }

    @Test func servicesWithOneLabelShareOneLoadBalancerAndBothPublishItsAddress() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            #expect(h.counting.count(.create) == 1, "the second Service joins, it does not create")
            for name in ["web", "api"] {
                let service = try #require(try await h.service(name))
                #expect(service.status.loadBalancerIngress.map(\.ip) == [lb.ipv4])
                #expect(service.metadata.annotations[ServiceHarness.idKey] == lb.id)
                #expect(service.metadata.finalizers.contains(Self.finalizer))
            }
        }
    }

    @Test func deletingOneMemberRemovesOnlyItsRulesAndTheLastDeletesTheLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            try await h.eventually("web gone") { try await h.service("web") == nil }
            try await h.eventually("only api's rule remains") {
                try await h.api.loadBalancers().map(\.forwardingRules) == [[Self.rule(8080, 30081)]]
            }
            #expect(try await h.api.loadBalancers().map(\.id) == [lb.id])
            #expect(try await !h.events("web", reason: "LeftSharedLoadBalancer").isEmpty)
            #expect(try await h.service("api")?.status.loadBalancerIngress.map(\.ip) == [lb.ipv4])
            try await h.client.delete(Service.self, name: "api", namespace: "default")
            try await h.eventually("api gone") { try await h.service("api") == nil }
            #expect(try await h.api.loadBalancers().isEmpty, "the last member deletes it")
        }
    }

    @Test func aConflictingPortIsRefusedWithAWarningAndTheLoadBalancerStaysAsItWas() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            // 80 is web's; admin forwards it to its own node port.
            try await h.createService("admin", ports: [ServicePort(name: "http", port: 80, nodePort: 30090)], annotations: [Self.label: "shop"])
            try await h.eventually("a conflict Warning on admin") {
                try await !h.events("admin", reason: "SharedLoadBalancerConflict").isEmpty
            }
            let event = try #require(try await h.events("admin", reason: "SharedLoadBalancerConflict").first)
            #expect(event.type == "Warning")
            #expect(event.message?.contains("frontend port 80") == true)
            #expect(event.message?.contains("default/web") == true)
            try await Task.sleep(for: .milliseconds(300))
            let after = try #require(try await h.api.loadBalancers().first { $0.id == lb.id })
            #expect(Set(after.forwardingRules) == Set(lb.forwardingRules), "the load balancer is left as it was")
            #expect(try await h.api.loadBalancers().count == 1)
            let admin = try #require(try await h.service("admin"))
            #expect(admin.status.loadBalancerIngress.isEmpty)
            #expect(admin.metadata.annotations[ServiceHarness.idKey] == nil)
            // The earlier members are not disturbed: no Warning on them.
            #expect(try await h.events("web", reason: "SharedLoadBalancerConflict").isEmpty)
            // Once web leaves, port 80 is free and admin joins.
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            try await h.eventually("admin joins on port 80") {
                try await Set(h.api.loadBalancers().first?.forwardingRules ?? []) == [Self.rule(80, 30090), Self.rule(8080, 30081)]
            }
            try await h.waitUntilPublished("admin")
            #expect(try await h.service("admin")?.metadata.annotations[ServiceHarness.idKey] == lb.id)
        }
    }

    @Test func differentLoadBalancerWideSettingsAreRefused() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            try await h.createService(
                "proxied", ports: [ServicePort(name: "http", port: 9090, nodePort: 30091)],
                annotations: [Self.label: "shop", "service.beta.kubernetes.io/vultr-loadbalancer-proxy-protocol": "true"])
            try await h.eventually("a conflict Warning naming the setting") {
                try await h.events("proxied", reason: "SharedLoadBalancerConflict").contains { $0.message?.contains("proxy_protocol") == true }
            }
            let after = try #require(try await h.api.loadBalancers().first)
            #expect(after.proxyProtocol == false)
            #expect(Set(after.forwardingRules) == Set(lb.forwardingRules))
        }
    }

    @Test func aRestartedControllerFindsTheSharedLoadBalancerWithoutTheIDsAndCreatesNothing() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            // As if the process died after the create and the join, before either id was recorded.
            await h.stopController()
            for name in ["web", "api"] { try await h.updateService(name) { $0.metadata.annotations[ServiceHarness.idKey] = nil } }
            h.counting.reset()
            h.startController()
            try await h.eventually("both record the id again") {
                for name in ["web", "api"] where try await h.service(name)?.metadata.annotations[ServiceHarness.idKey] != lb.id { return false }
                return true
            }
            #expect(h.counting.count(.create) == 0)
            #expect(h.counting.count(.delete) == 0)
            #expect(try await h.api.loadBalancers().map(\.id) == [lb.id])
            #expect(Set(try #require(try await h.api.loadBalancers().first).forwardingRules) == Set(lb.forwardingRules))
        }
    }

    @Test func aRestartRightAfterAMemberJoinedInTheCloudFinishesTheJoinWithoutASecondLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: [Self.label: "shop"])
            try await h.eventually("web's load balancer is labelled shop") { try await h.loadBalancer(of: "web")?.label == "shop" }
            let lb = try #require(try await h.loadBalancer(of: "web"))
            h.counting.reset()
            h.counting.failAfterNextUpdate()
            try await h.createService("api", ports: [ServicePort(name: "http", port: 8080, nodePort: 30081)], annotations: [Self.label: "shop"])
            try await h.eventually("api's rule applied in the cloud") { h.counting.count(.update) >= 1 }
            // The process dies before api's id is written (a retry may have written it meanwhile: forget it).
            await h.stopController()
            try await h.updateService("api") { $0.metadata.annotations[ServiceHarness.idKey] = nil }
            #expect(Set(try #require(try await h.api.loadBalancers().first).forwardingRules) == [Self.rule(80, 30080), Self.rule(8080, 30081)])
            h.counting.reset()
            h.startController()
            try await h.eventually("api records the shared load balancer") {
                try await h.service("api")?.metadata.annotations[ServiceHarness.idKey] == lb.id
            }
            try await h.waitUntilPublished("api")
            #expect(try await h.service("api")?.status.loadBalancerIngress.map(\.ip) == [lb.ipv4])
            #expect(h.counting.count(.create) == 0 && h.counting.count(.delete) == 0)
            #expect(try await h.api.loadBalancers().map(\.id) == [lb.id])
        }
    }

    @Test func aMemberDeletedWhileTheControllerWasDownDoesNotTakeTheLoadBalancerWithIt() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            await h.stopController()
            // Deleted while no controller runs: the finalizer holds it until the next one starts.
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            #expect(try await h.service("web")?.metadata.deletionTimestamp != nil)
            h.counting.reset()
            h.startController()
            try await h.eventually("web released") { try await h.service("web") == nil }
            try await h.eventually("web's rule removed") {
                try await h.api.loadBalancers().map(\.forwardingRules) == [[Self.rule(8080, 30081)]]
            }
            #expect(h.counting.count(.delete) == 0, "api still uses it")
            #expect(try await h.api.loadBalancers().map(\.id) == [lb.id])
        }
    }

    @Test func twoMembersCreatedAtOnceMakeOneLoadBalancer() async throws {
        try await ServiceHarness.with(configure: { $0.workers = 4 }) { h in
            try await h.addNode("node-a")
            await h.stopController()
            for (index, name) in ["s1", "s2", "s3", "s4"].enumerated() {
                try await h.createService(
                    name, ports: [ServicePort(name: "http", port: 81 + index, nodePort: 30100 + index)], annotations: [Self.label: "many"])
            }
            h.startController()
            try await h.waitUntilPublished("s1", "s2", "s3", "s4")
            try await h.eventually("all four rules on one load balancer") {
                let all = try await h.api.loadBalancers()
                return all.count == 1 && all[0].forwardingRules.count == 4
            }
            #expect(h.counting.count(.create) == 1)
        }
    }

    @Test func deletingSharingServicesDuringACloudOutageDeletesNothingUntilItIsBack() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            try await h.createService("other", ports: [ServicePort(name: "http", port: 80, nodePort: 30200)])
            try await h.waitUntilPublished("other")
            let otherID = try #require(try await h.loadBalancer(of: "other")?.id)
            h.counting.reset()
            h.cloud.setFaults(FaultSpec(errorRate: 1))
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            try await h.client.delete(Service.self, name: "api", namespace: "default")
            try await h.eventually("a Warning about the failed deletion") {
                let api = try await h.events("api", reason: "DeleteLoadBalancerFailed")
                let web = try await h.events("web", reason: "DeleteLoadBalancerFailed")
                return !api.isEmpty || !web.isEmpty
            }
            // The last member waits for the cloud; nothing was deleted.
            let waiting = try await [h.service("web"), h.service("api")].compactMap { $0 }
            #expect(!waiting.isEmpty && waiting.allSatisfy { $0.metadata.finalizers.contains(Self.finalizer) })
            #expect(h.counting.count(.create) == 0)
            h.cloud.setFaults(FaultSpec())
            try await h.eventually("both Services released", timeout: .seconds(60)) {
                let web = try await h.service("web")
                let api = try await h.service("api")
                return web == nil && api == nil
            }
            let remaining = try await h.api.loadBalancers().map(\.id)
            #expect(remaining == [otherID], "the shared load balancer goes with its last member, the other stays")
            #expect(!remaining.contains(lb.id))
        }
    }

    @Test func aMemberChangingItsLabelLeavesForItsOwnLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            let lb = try await Self.publishShop(h)
            try await h.updateService("api") { $0.metadata.annotations[Self.label] = "api-only" }
            try await h.eventually("api has its own load balancer") {
                let own = try await h.loadBalancer(of: "api")
                return own?.id != lb.id && own?.label == "api-only"
            }
            try await h.eventually("the shared one keeps only web's rule") {
                try await h.api.loadBalancers().first { $0.id == lb.id }?.forwardingRules == [Self.rule(80, 30080)]
            }
            #expect(try await h.api.loadBalancers().count == 2)
        }
    }
}
