import CloudAPI
import CloudController
import Foundation
import Kubernetes
import LocalCloud
import Synchronization
import Testing

/// The service controller against a real local cloud and the Kubernetes stand-in.
@Suite(.serialized)
struct ServiceControllerTests {
    static let finalizer = "service.kubernetes.io/load-balancer-cleanup"

    @Test func createsLoadBalancerWithRulesTargetsHealthCheckAndIngress() async throws {
        try await ServiceHarness.with { h in
            let (_, a) = try await h.addNode("node-a")
            let (_, b) = try await h.addNode("node-b")
            try await h.addNode("node-excluded", labels: ["node.kubernetes.io/exclude-from-external-load-balancers": ""])
            let finalizerAtCreate = Mutex<Bool?>(nil)
            let server = h.apiServer
            h.counting.beforeCreate {
                let stored = server.object(at: "/api/v1/namespaces/default/services/web")
                let finalizers = stored?["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
                finalizerAtCreate.withLock { $0 = finalizers.contains(Self.finalizer) }
            }
            let created = try await h.createService("web", ports: [
                ServicePort(name: "http", port: 80, nodePort: 30080), ServicePort(name: "https", port: 443, nodePort: 30443),
            ])
            try await h.waitUntilPublished("web")
            let service = try #require(try await h.service("web"))
            let lb = try #require(try await h.loadBalancer(of: "web"))
            #expect(finalizerAtCreate.withLock { $0 } == true, "finalizer must be stored before the load balancer is created")
            #expect(service.metadata.finalizers.contains(Self.finalizer))
            #expect(Set(lb.instanceIDs) == [a, b])
            #expect(Set(lb.forwardingRules) == [
                .init(frontendProtocol: .tcp, frontendPort: 80, backendProtocol: .tcp, backendPort: 30080),
                .init(frontendProtocol: .tcp, frontendPort: 443, backendProtocol: .tcp, backendPort: 30443),
            ])
            #expect(lb.healthCheck.protocol == .http && lb.healthCheck.port == 10256 && lb.healthCheck.path == "/healthz")
            #expect(lb.region == "ewr")
            #expect(lb.label == "a" + (created.metadata.uid ?? "").filter { $0 != "-" }.prefix(31))
            #expect(lb.status == .active)
            #expect(service.status.loadBalancerIngress.map(\.ip) == [lb.ipv4])
            // It was pending at first; the address appeared only once it turned active (fixed requeue, no error).
            #expect(h.counting.count(.get) >= 1)
            let reasons = Set(try await h.events("web").map { $0.reason ?? "" })
            #expect(reasons.isSuperset(of: ["EnsuringLoadBalancer", "EnsuredLoadBalancer"]))
            #expect(!reasons.contains("SyncLoadBalancerFailed"))
            #expect(try await h.api.loadBalancers().count == 1)
        }
    }

    @Test func portChangeUpdatesTheSameLoadBalancerWithOneCall() async throws {
        try await ServiceHarness.with { h in
            try await h.publishWeb()
            let before = try #require(try await h.loadBalancer(of: "web"))
            h.counting.reset()
            try await h.updateService("web") { $0.spec.ports = [ServicePort(name: "http", port: 8080, nodePort: 30081)] }
            try await h.eventually("rule follows the port") {
                try await h.loadBalancer(of: "web")?.forwardingRules.map(\.frontendPort) == [8080]
            }
            let after = try #require(try await h.loadBalancer(of: "web"))
            #expect(after.id == before.id)
            #expect(after.forwardingRules == [.init(frontendProtocol: .tcp, frontendPort: 8080, backendProtocol: .tcp, backendPort: 30081)])
            #expect(h.counting.count(.update) == 1)
            #expect(h.counting.count(.create) == 0 && h.counting.count(.delete) == 0)
            #expect(try await h.api.loadBalancers().count == 1)
        }
    }

    @Test func nodeSetChangesReachEveryLoadBalancerAndHeartbeatsDoNot() async throws {
        try await ServiceHarness.with { h in
            let (nodeA, a) = try await h.addNode("node-a")
            let (_, b) = try await h.addNode("node-b")
            try await h.createService("one")
            try await h.createService("two")
            try await h.waitUntilPublished("one", "two")
            h.counting.reset()
            // Heartbeats (status-only node updates) change nothing on any load balancer.
            for _ in 0..<3 {
                _ = try await h.client.modify(Node.self, name: nodeA.name, status: true) { node in
                    node.status.conditions = [NodeCondition(type: "Ready", status: "True", at: Date())]
                    return true
                }
            }
            _ = try await h.client.modify(Node.self, name: nodeA.name) { node in
                node.metadata.labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "true"
                return true
            }
            try await h.eventually("excluded node removed from both") {
                let one = try await h.loadBalancer(of: "one")?.instanceIDs
                let two = try await h.loadBalancer(of: "two")?.instanceIDs
                return one == [b] && two == [b]
            }
            #expect(h.counting.count(.update) == 2, "one update per load balancer, none for heartbeats")
            let (_, c) = try await h.addNode("node-c")
            try await h.eventually("new node added to both") {
                let one = try await h.loadBalancer(of: "one")?.instanceIDs ?? []
                let two = try await h.loadBalancer(of: "two")?.instanceIDs ?? []
                return Set(one) == [b, c] && Set(two) == [b, c]
            }
            #expect(!(try await h.loadBalancer(of: "one")?.instanceIDs.contains(a) ?? true))
            #expect(h.counting.count(.create) == 0 && h.counting.count(.delete) == 0)
        }
    }

    @Test func deletingTheServiceDeletesItsLoadBalancerThenTheFinalizer() async throws {
        try await ServiceHarness.with { h in
            try await h.publishWeb()
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            try await h.eventually("service gone") { try await h.service("web") == nil }
            #expect(try await h.api.loadBalancers().contains { $0.id == id } == false)
            let reasons = Set(try await h.events("web").map { $0.reason ?? "" })
            #expect(reasons.isSuperset(of: ["DeletingLoadBalancer", "DeletedLoadBalancer"]))
        }
    }

    @Test func deletingAServiceWhoseLoadBalancerIsAlreadyGoneSucceeds() async throws {
        try await ServiceHarness.with { h in
            try await h.publishWeb()
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            try await h.api.deleteLoadBalancer(id: id)
            try await h.client.delete(Service.self, name: "web", namespace: "default")
            try await h.eventually("service gone") { try await h.service("web") == nil }
            #expect(try await h.events("web", reason: "DeleteLoadBalancerFailed").isEmpty)
        }
    }

    @Test func nothingIsDeletedWhileTheCloudFailsAndItConvergesAfterwards() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            try await h.createService("web")
            try await h.createService("gone")
            try await h.waitUntilPublished("web", "gone")
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            let goneID = try #require(try await h.loadBalancer(of: "gone")?.id)
            h.counting.reset()
            h.cloud.setFaults(FaultSpec(errorRate: 1))
            // Nodes vanish and a Service is deleted while every cloud call fails.
            try await h.client.delete(Node.self, name: "node-a")
            try await h.client.delete(Node.self, name: "node-b")
            try await h.client.delete(Service.self, name: "gone", namespace: "default")
            try await h.eventually("a Warning about the failed deletion") {
                try await !h.events("gone", reason: "DeleteLoadBalancerFailed").isEmpty
            }
            try await h.eventually("a Warning about the failed sync") {
                try await !h.events("web", reason: "SyncLoadBalancerFailed").isEmpty
            }
            let stuck = try #require(try await h.service("gone"), "the Service must wait for its load balancer")
            #expect(stuck.metadata.finalizers.contains(Self.finalizer))
            #expect(h.counting.count(.create) == 0, "a failed lookup must never lead to a second load balancer")
            h.cloud.setFaults(FaultSpec())
            try await h.eventually("deleted Service converges", timeout: .seconds(60)) { try await h.service("gone") == nil }
            let remaining = try await h.api.loadBalancers()
            #expect(remaining.map(\.id) == [id], "only the deleted Service's load balancer may go")
            #expect(!remaining.contains { $0.id == goneID })
        }
    }

    @Test func aRestartedControllerFindsTheLoadBalancerByItsUIDLabel() async throws {
        try await ServiceHarness.with { h in
            try await h.publishWeb()
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            // As if the previous process crashed after creating but before recording the id.
            try await h.restartForgettingID(of: "web", expecting: id)
        }
    }

    @Test func renamingTheLabelAnnotationRenamesTheSameLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            let key = "service.beta.kubernetes.io/vultr-loadbalancer-label"
            try await h.createService("web", annotations: [key: "shop"])
            try await h.eventually("labelled shop") { try await h.loadBalancer(of: "web")?.label == "shop" }
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            try await h.updateService("web") { $0.metadata.annotations[key] = "store" }
            try await h.eventually("relabelled store") { try await h.loadBalancer(of: "web")?.label == "store" }
            #expect(try await h.api.loadBalancers().map(\.id) == [id])
            #expect(h.counting.count(.create) == 1)
        }
    }

    @Test func aCreateWhoseAnswerIsLostLeavesOneLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            // A first Service leaves the controller with a fresh list of load balancers.
            try await h.createService("first")
            try await h.waitUntilPublished("first")
            // The next cloud call, the second Service's create, is carried out but its answer lost.
            h.cloud.inject(.dropAfterCommit, count: 1)
            try await h.createService("second")
            try await h.waitUntilPublished("second")
            let labels = try await h.api.loadBalancers().map(\.label)
            #expect(labels.count == 2, "\(labels)")
            #expect(Set(labels).count == labels.count, "two load balancers under one label: \(labels)")
        }
    }

    @Test func anInvalidAnnotationIsAWarningNamingItAndNoCloudWrite() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            let key = "service.beta.kubernetes.io/vultr-loadbalancer-timeout"
            try await h.createService("web", annotations: [key: "soon"])
            try await h.eventually("warning") { try await !h.events("web", reason: "InvalidAnnotation").isEmpty }
            let event = try #require(try await h.events("web", reason: "InvalidAnnotation").first)
            #expect(event.type == "Warning")
            #expect(event.message?.contains(key) == true)
            #expect(h.counting.writes == 0)
            #expect(try await h.service("web")?.metadata.finalizers.isEmpty == true)
            // Fixing the value lets it through.
            try await h.updateService("web") { $0.metadata.annotations[key] = "30" }
            try await h.waitUntilPublished("web")
        }
    }

    @Test func servicesOfAnotherClassOrWithCreateFalseAreLeftAlone() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("other-class") { $0.spec.loadBalancerClass = "example.com/other" }
            try await h.createService("hands-off", annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-create": "false"])
            try await h.createService("mine")
            try await h.waitUntilPublished("mine")
            for name in ["other-class", "hands-off"] {
                let service = try #require(try await h.service(name))
                #expect(service.metadata.finalizers.isEmpty, "\(name)")
                #expect(service.status.loadBalancerIngress.isEmpty, "\(name)")
                #expect(try await h.events(name).isEmpty, "\(name)")
            }
            #expect(try await h.api.loadBalancers().count == 1)
        }
    }

    @Test func aServiceThatStopsBeingALoadBalancerLosesItsLoadBalancer() async throws {
        try await ServiceHarness.with { h in
            try await h.publishWeb()
            try await h.updateService("web") { $0.spec.type = "ClusterIP" }
            try await h.eventually("finalizer and ingress removed") {
                let service = try await h.service("web")
                return service?.metadata.finalizers.isEmpty == true && service?.status.loadBalancerIngress.isEmpty == true
            }
            #expect(try await h.api.loadBalancers().isEmpty)
        }
    }

    @Test func sourceRangesAndFirewallAnnotationBecomeFirewallRules() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService(
                "web", annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-firewall-rules": "192.0.2.0/24,80"]
            ) { $0.spec.loadBalancerSourceRanges = ["10.0.0.0/8", "2001:db8::/32"] }
            try await h.waitUntilPublished("web")
            let lb = try #require(try await h.loadBalancer(of: "web"))
            #expect(Set(lb.firewallRules) == [
                .init(port: 80, source: "10.0.0.0/8"), .init(port: 80, source: "2001:db8::/32", isIPv6: true),
                .init(port: 80, source: "192.0.2.0/24"),
            ])
        }
    }

    @Test func externalTrafficPolicyLocalProbesTheHealthCheckNodePort() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("web") {
                $0.spec.externalTrafficPolicy = "Local"
                $0.spec.healthCheckNodePort = 32123
            }
            try await h.waitUntilPublished("web")
            let check = try #require(try await h.loadBalancer(of: "web")).healthCheck
            #expect(check.protocol == .http && check.port == 32123 && check.path == "/healthz")
        }
    }

    @Test func aRotatedTLSSecretIsAppliedAgain() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            let annotations = [
                "service.beta.kubernetes.io/vultr-loadbalancer-https-ports": "443",
                "service.beta.kubernetes.io/vultr-loadbalancer-ssl": "web-tls",
            ]
            try await h.createService("web", ports: [ServicePort(name: "https", port: 443, nodePort: 30443)], annotations: annotations)
            try await h.eventually("missing Secret reported") {
                try await h.events("web", reason: "SyncLoadBalancerFailed").contains { $0.message?.contains("web-tls") == true }
            }
            #expect(h.counting.writes == 0)
            let one = try TestCertificate.make(commonName: "one.mooring.test")
            let two = try TestCertificate.make(commonName: "two.mooring.test")
            var secret = Secret(name: "web-tls", namespace: "default")
            secret.type = "kubernetes.io/tls"
            secret.data = ["tls.crt": Data(one.certificate.utf8), "tls.key": Data(one.key.utf8)]
            _ = try await h.client.create(secret)
            try await h.waitUntilPublished("web")
            let lb = try #require(try await h.loadBalancer(of: "web"))
            #expect(lb.hasSSL)
            #expect(lb.forwardingRules.first?.frontendProtocol == .https)
            let fingerprintKey = "loadbalancer.mooring.dev/applied-fingerprint"
            let first = try #require(try await h.service("web")?.metadata.annotations[fingerprintKey])
            h.counting.reset()
            _ = try await h.client.modify(Secret.self, name: "web-tls", namespace: "default") { secret in
                secret.data = ["tls.crt": Data(two.certificate.utf8), "tls.key": Data(two.key.utf8)]
                return true
            }
            try await h.eventually("new certificate applied") {
                try await h.service("web")?.metadata.annotations[fingerprintKey] != first
            }
            #expect(h.counting.count(.update) == 1)
            #expect(try await h.loadBalancer(of: "web")?.id == lb.id)
            // Neither the key nor the certificate shows up in events.
            for event in try await h.events("web") {
                #expect(!(event.message ?? "").contains(one.keyMaterial))
                #expect(!(event.message ?? "").contains(two.keyMaterial))
                #expect(!(event.message ?? "").contains("PRIVATE KEY"))
            }
        }
    }

    @Test func atRestAResyncRoundCostsOneListAndNoWrites() async throws {
        try await ServiceHarness.with(configure: {
            $0.lbResyncPeriod = .milliseconds(300)
            $0.cloudSnapshotMaxAge = .milliseconds(200)
        }) { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            for name in ["one", "two", "three"] { try await h.createService(name) }
            try await h.waitUntilPublished("one", "two", "three")
            h.counting.reset()
            try await h.eventually("several resync rounds", timeout: .seconds(30)) { h.counting.count(.list) >= 4 }
            #expect(h.counting.count(.get) == 0, "no per-Service reads at rest")
            #expect(h.counting.writes == 0, "no writes at rest")
        }
    }

    @Test func driftIsRepairedAtTheNextResync() async throws {
        try await ServiceHarness.with(configure: { $0.lbResyncPeriod = .milliseconds(500) }) { h in
            try await h.publishWeb()
            let lb = try #require(try await h.loadBalancer(of: "web"))
            var edited = LoadBalancerSpec(
                region: lb.region, label: lb.label, instanceIDs: lb.instanceIDs,
                forwardingRules: [.init(frontendProtocol: .http, frontendPort: 81, backendProtocol: .http, backendPort: 30099)],
                healthCheck: lb.healthCheck)
            edited.nodes = lb.nodes
            try await h.api.updateLoadBalancer(id: lb.id, edited)
            try await h.eventually("rules restored") {
                try await h.loadBalancer(of: "web")?.forwardingRules
                    == [.init(frontendProtocol: .tcp, frontendPort: 80, backendProtocol: .tcp, backendPort: 30080)]
            }
            #expect(try await h.api.loadBalancers().map(\.id) == [lb.id])
        }
    }

    @Test func aLostIDAfterARenameIsFoundByTheCustomLabel() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            let key = "service.beta.kubernetes.io/vultr-loadbalancer-label"
            try await h.createService("web", annotations: [key: "shop"])
            try await h.eventually("labelled shop") { try await h.loadBalancer(of: "web")?.label == "shop" }
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            try await h.restartForgettingID(of: "web", expecting: id)
        }
    }

    @Test func theHostnameAnnotationPublishesOnlyTheHostname() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-hostname": "shop.example.com"])
            try await h.waitUntilPublished("web")
            let ingress = try #require(try await h.service("web")).status.loadBalancerIngress
            #expect(ingress.map(\.hostname) == ["shop.example.com"])
            #expect(ingress.map(\.ip) == [nil])
        }
    }

    @Test func withoutARegionThereIsAWarningAndNoCloudCall() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a", region: nil)
            try await h.createService("web")
            try await h.eventually("warning") {
                try await h.events("web", reason: "SyncLoadBalancerFailed").contains { $0.message?.contains("region") == true }
            }
            #expect(h.counting.total == 0)
            #expect(try await h.service("web")?.metadata.finalizers.isEmpty == true)
        }
    }

    @Test func theConfiguredRegionIsTheFallback() async throws {
        try await ServiceHarness.with(configure: { $0.region = "ams" }) { h in
            try await h.addNode("node-a", region: nil)
            try await h.createService("web")
            try await h.waitUntilPublished("web")
            #expect(try await h.loadBalancer(of: "web")?.region == "ams")
        }
    }

    @Test func stickySessionsTurnOffAndStayOffWithoutRepeatedUpdates() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            let enabled = "service.beta.kubernetes.io/vultr-loadbalancer-sticky-session-enabled"
            let cookie = "service.beta.kubernetes.io/vultr-loadbalancer-sticky-session-cookie-name"
            try await h.createService("web", annotations: [enabled: "on", cookie: "sid"])
            try await h.eventually("sticky") { try await h.loadBalancer(of: "web")?.stickySessionCookie == "sid" }
            try await h.updateService("web") { $0.metadata.annotations[enabled] = "off" }
            try await h.eventually("not sticky") { try await h.loadBalancer(of: "web")?.stickySessionCookie == nil }
            h.counting.reset()
            for _ in 0..<2 { await h.resync() }
            try await h.eventually("two resync lists") { h.counting.count(.list) >= 2 }
            try await Task.sleep(for: .milliseconds(300))  // let the queued reconciles finish
            #expect(h.counting.count(.update) == 0, "an off setting must not be re-sent on every pass")
        }
    }

    @Test func aPendingLoadBalancerIsPublishedOnceActiveWithoutErrors() async throws {
        try await ServiceHarness.with(cloudPending: .seconds(3)) { h in
            try await h.addNode("node-a")
            try await h.createService("web", annotations: ["service.beta.kubernetes.io/vultr-loadbalancer-label": "shop"])
            try await h.eventually("id recorded") { try await h.service("web")?.metadata.annotations[ServiceHarness.idKey] != nil }
            let pending = try #require(try await h.loadBalancer(of: "web"))
            #expect(pending.status == .pending)
            #expect(pending.label != "shop", "created under the UID label; renamed only once active")
            #expect(h.counting.count(.update) == 0, "no change is sent while pending")
            #expect(try await h.service("web")?.status.loadBalancerIngress.isEmpty == true, "no address while pending")
            try await h.waitUntilPublished("web")
            try await h.eventually("renamed once active") { try await h.loadBalancer(of: "web")?.label == "shop" }
            let lb = try #require(try await h.loadBalancer(of: "web"))
            #expect(lb.status == .active)
            #expect(h.counting.count(.update) == 1)
            #expect(try await h.service("web")?.status.loadBalancerIngress.map(\.ip) == [lb.ipv4])
            #expect(try await h.events("web", reason: "SyncLoadBalancerFailed").isEmpty, "pending is not a failure")
            #expect(h.counting.count(.create) == 1)
        }
    }

    @Test func nothingIsDeletedWhileTheCloudIsDownAndItConvergesAfterwards() async throws {
        try await ServiceHarness.with { h in
            try await h.addNode("node-a")
            try await h.createService("web")
            try await h.createService("gone")
            try await h.waitUntilPublished("web", "gone")
            let id = try #require(try await h.loadBalancer(of: "web")?.id)
            try await h.restartCloud {
                try await h.client.delete(Node.self, name: "node-a")
                try await h.client.delete(Service.self, name: "gone", namespace: "default")
                try await h.eventually("a Warning about the failed deletion") {
                    try await !h.events("gone", reason: "DeleteLoadBalancerFailed").isEmpty
                }
                #expect(try await h.service("gone")?.metadata.finalizers.contains(Self.finalizer) == true)
            }
            try await h.eventually("deleted Service converges", timeout: .seconds(60)) { try await h.service("gone") == nil }
            #expect(try await h.api.loadBalancers().map(\.id) == [id])
            #expect(h.counting.count(.create) == 2, "only the two first creates")
        }
    }
}
