import Foundation
import Kubernetes
import KubernetesTestSupport
import Testing

@Suite struct ClientTests {
    @Test func createGetUpdateDelete() async throws {
        try await withAPIServer { server, client in
            let created = try await client.create(makeNode("n1"))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.resourceVersion != nil)
            var fetched = try await client.get(Node.self, name: "n1")
            #expect(fetched.metadata.uid == created.metadata.uid)
            fetched.spec.providerID = "vultr://1"
            let updated = try await client.update(fetched)
            #expect(updated.spec.providerID == "vultr://1")
            #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)
            try await client.delete(Node.self, name: "n1")
            await #expect(throws: KubernetesError.self) { try await client.get(Node.self, name: "n1") }
        }
    }

    @Test func errorsAreTypedByStatus() async throws {
        try await withAPIServer { server, client in
            do {
                _ = try await client.get(Node.self, name: "missing")
                Issue.record("expected NotFound")
            } catch let error as KubernetesError {
                #expect(error.code == .notFound)
                #expect(error.httpStatus == 404)
            }
            _ = try await client.create(makeNode("dup"))
            do {
                _ = try await client.create(makeNode("dup"))
                Issue.record("expected AlreadyExists")
            } catch let error as KubernetesError {
                #expect(error.code == .alreadyExists)
            }
            server.inject(InjectedFailure(status: 403, reason: "Forbidden"))
            await #expect { try await client.get(Node.self, name: "dup") } throws: { $0.isKubernetesError(.forbidden) }
            server.inject(InjectedFailure(status: 410, reason: "Gone"))
            await #expect { try await client.get(Node.self, name: "dup") } throws: { $0.isKubernetesError(.gone) }
        }
    }

    @Test func staleUpdateConflictsAndRetryRecovers() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("n1"))
            let first = try await client.get(Node.self, name: "n1")
            var other = first
            other.metadata.labels["by"] = "other"
            _ = try await client.update(other)
            var stale = first
            stale.metadata.labels["by"] = "me"
            await #expect { try await client.update(stale) } throws: { $0.isKubernetesError(.conflict) }

            let attempts = AttemptCounter()
            let result = try await retryOnConflict {
                attempts.increment()
                var object = attempts.value == 1 ? stale : try await client.get(Node.self, name: "n1")
                object.metadata.labels["by"] = "me"
                return try await client.update(object)
            }
            #expect(attempts.value == 2)
            #expect(result.metadata.labels["by"] == "me")
        }
    }

    @Test func updateKeepsFieldsSomeoneElseWrote() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("n1"))
            // Another writer adds a field this module does not model.
            _ = try await client.patch(
                Node.self, name: "n1", patch: ["spec": ["configSource": ["note": "theirs"]], "metadata": ["labels": ["x": "y"]]])
            var node = try await client.get(Node.self, name: "n1")
            node.spec.providerID = "vultr://42"
            _ = try await client.update(node)
            let stored = try #require(server.object(at: "/api/v1/nodes/n1"))
            #expect(stored["spec"]?["configSource"]?["note"] == "theirs")
            #expect(stored["spec"]?["providerID"] == "vultr://42")
            #expect(stored["metadata"]?["labels"]?["x"] == "y")
        }
    }

    @Test func listFollowsContinueTokens() async throws {
        try await withAPIServer { server, client in
            for index in 0..<25 { _ = try await client.create(makeNode("n\(index)", labels: ["even": "\(index % 2 == 0)"])) }
            let page = try await client.list(Node.self, options: ListOptions(limit: 10))
            #expect(page.items.count == 10)
            #expect(page.continueToken != nil)
            let all = try await client.listAll(Node.self, options: ListOptions(limit: 10))
            #expect(all.items.count == 25)
            #expect(Set(all.items.map(\.name)).count == 25)
            #expect(all.resourceVersion != nil)
            let even = try await client.listAll(Node.self, options: ListOptions(labelSelector: "even=true", limit: 4))
            #expect(even.items.count == 13)
            // Pages of 10,10,5 and 4,4,4,1: five follow-up requests carried a continue token.
            #expect(server.requests.filter { $0.query["continue"] != nil }.count == 5)
        }
    }

    @Test func expiredContinueTokenIsGone() async throws {
        try await withAPIServer { server, client in
            for index in 0..<5 { _ = try await client.create(makeNode("n\(index)")) }
            let page = try await client.list(Node.self, options: ListOptions(limit: 2))
            _ = try await client.create(makeNode("later"))
            server.compact()
            await #expect {
                try await client.list(Node.self, options: ListOptions(limit: 2, continueToken: page.continueToken))
            } throws: { $0.isKubernetesError(.gone) }
        }
    }

    @Test func statusSubresource() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeService("web"))
            var service = try await client.get(Service.self, name: "web", namespace: "default")
            service.status.loadBalancerIngress = [LoadBalancerIngress(ip: "203.0.113.9")]
            service.spec.loadBalancerSourceRanges = ["10.0.0.0/8"]
            // A PUT of the main resource changes the spec but never the status.
            let afterMain = try await client.update(service)
            #expect(afterMain.status.loadBalancerIngress.isEmpty)
            #expect(afterMain.spec.loadBalancerSourceRanges == ["10.0.0.0/8"])
            var forStatus = afterMain
            forStatus.status.loadBalancerIngress = [LoadBalancerIngress(ip: "203.0.113.9")]
            forStatus.spec.loadBalancerSourceRanges = []
            let afterStatus = try await client.updateStatus(forStatus)
            #expect(afterStatus.status.loadBalancerIngress.first?.ip == "203.0.113.9")
            #expect(afterStatus.spec.loadBalancerSourceRanges == ["10.0.0.0/8"])
            let patched = try await client.patch(
                Service.self, name: "web", namespace: "default",
                patch: ["status": ["loadBalancer": ["ingress": [["hostname": "lb.example"]]]]], subresource: "status")
            #expect(patched.status.loadBalancerIngress.map(\.hostname) == ["lb.example"])
        }
    }

    @Test func mergeAndStrategicMergePatch() async throws {
        try await withAPIServer { server, client in
            var node = makeNode("n1")
            node.status.conditions = [
                NodeCondition(type: "Ready", status: "True"), NodeCondition(type: "MemoryPressure", status: "False"),
            ]
            node.metadata.finalizers = ["a"]
            _ = try await client.create(node)
            // Strategic merge: conditions merge by type, finalizers by union.
            let strategic = try await client.patch(
                Node.self, name: "n1",
                patch: [
                    "status": ["conditions": [["type": "NetworkUnavailable", "status": "False", "reason": "RouteCreated"]]],
                    "metadata": ["finalizers": ["b"]],
                ], type: .strategicMerge, subresource: "status")
            #expect(strategic.status.conditions.compactMap(\.type) == ["Ready", "MemoryPressure", "NetworkUnavailable"])
            let withFinalizers = try await client.patch(
                Node.self, name: "n1", patch: ["metadata": ["finalizers": ["b"]]], type: .strategicMerge)
            #expect(withFinalizers.metadata.finalizers == ["a", "b"])
            // Merge patch: lists are replaced, null deletes.
            let merged = try await client.patch(
                Node.self, name: "n1", patch: ["metadata": ["finalizers": nil, "labels": ["k": "v"]]], type: .merge)
            #expect(merged.metadata.finalizers.isEmpty)
            #expect(merged.metadata.labels == ["k": "v"])
            // A patch carrying a stale resourceVersion conflicts.
            await #expect {
                try await client.patch(Node.self, name: "n1", patch: ["metadata": ["resourceVersion": "1", "labels": ["k": "w"]]])
            } throws: { $0.isKubernetesError(.conflict) }
        }
    }

    @Test func patchFromOriginalSendsOnlyChanges() async throws {
        try await withAPIServer { server, client in
            let created = try await client.create(makeService("web"))
            // Someone else changes a field we do not touch.
            _ = try await client.patch(
                Service.self, name: "web", namespace: "default", patch: ["metadata": ["annotations": ["theirs": "1"]]])
            let original = try await client.get(Service.self, name: "web", namespace: "default")
            var modified = original
            modified.status.loadBalancerIngress = [LoadBalancerIngress(ip: "203.0.113.7")]
            server.clearRequests()
            let patched = try await client.patch(from: original, to: modified, subresource: "status")
            #expect(patched.status.loadBalancerIngress.first?.ip == "203.0.113.7")
            #expect(patched.metadata.annotations["theirs"] == "1")
            #expect(server.requests.map(\.method) == ["PATCH"])
            // Unchanged: no request at all.
            server.clearRequests()
            _ = try await client.patch(from: patched, to: patched, subresource: "status")
            #expect(server.requests.isEmpty)
            // Patching from a stale original conflicts instead of overwriting.
            var stale = created
            stale.spec.sessionAffinity = "ClientIP"
            await #expect { try await client.patch(from: created, to: stale) } throws: { $0.isKubernetesError(.conflict) }
        }
    }

    @Test func deleteWaitsForFinalizers() async throws {
        try await withAPIServer { server, client in
            var service = makeService("web")
            service.metadata.finalizers = ["service.kubernetes.io/load-balancer-cleanup"]
            _ = try await client.create(service)
            try await client.delete(Service.self, name: "web", namespace: "default")
            let marked = try await client.get(Service.self, name: "web", namespace: "default")
            #expect(marked.metadata.deletionTimestamp != nil)
            _ = try await client.modify(Service.self, name: "web", namespace: "default") { service in
                service.metadata.finalizers = []
                return true
            }
            await #expect { try await client.get(Service.self, name: "web", namespace: "default") } throws: {
                $0.isKubernetesError(.notFound)
            }
        }
    }

    @Test func deletePreconditions() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("n1"))
            await #expect {
                try await client.delete(Node.self, name: "n1", options: DeleteOptions(preconditionUID: "other"))
            } throws: { $0.isKubernetesError(.conflict) }
            try await client.delete(Node.self, name: "n1")
        }
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("n1"))
            server.inject(.tooManyRequests(retryAfterSeconds: 1, count: 1, method: "GET"))
            let started = ContinuousClock.now
            _ = try await client.get(Node.self, name: "n1")
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(server.requests.filter { $0.method == "GET" }.count == 2)
        }
    }

    @Test func serverErrorsAreRetriedOnlyWithRetryAfter() async throws {
        try await withAPIServer { server, client in
            server.inject(InjectedFailure(status: 503, reason: "ServiceUnavailable", retryAfterSeconds: 1, method: "GET"))
            _ = try await client.list(Node.self)
            #expect(server.requests.count == 2)
            server.inject(InjectedFailure(status: 503, reason: "ServiceUnavailable", method: "GET"))
            await #expect { try await client.list(Node.self) } throws: { $0.isKubernetesError(.serviceUnavailable) }
            #expect(server.requests.count == 3)
        }
    }

    @Test func tooManyRequestsSurfacesRetryAfterWhenRetriesRunOut() async throws {
        try await withAPIServer(configure: { $0.maxRetriesOnTooManyRequests = 0 }) { server, client in
            server.inject(.tooManyRequests(retryAfterSeconds: 7))
            do {
                _ = try await client.list(Node.self)
                Issue.record("expected TooManyRequests")
            } catch let error as KubernetesError {
                #expect(error.code == .tooManyRequests)
                #expect(error.retryAfter == .seconds(7))
            }
        }
    }

    @Test func tokenFileIsReReadWhenRotated() async throws {
        try await withTemporaryDirectory { directory in
            let tokenFile = directory.appendingPathComponent("token")
            try Data("first-token\n".utf8).write(to: tokenFile)
            try await withAPIServer(configure: { $0.credentials = .bearerTokenFile(tokenFile.path) }) { server, client in
                server.setRequiredToken("first-token")
                _ = try await client.list(Node.self)
                try Data("second-token-longer".utf8).write(to: tokenFile)
                server.setRequiredToken("second-token-longer")
                _ = try await client.list(Node.self)
                #expect(server.requests.last?.authorization == "Bearer second-token-longer")
            }
        }
    }

    @Test func transportErrorsAreTyped() async throws {
        let server = try await TestAPIServer.start()
        var configuration = server.clientConfiguration()
        configuration.requestTimeout = .seconds(1)
        await server.shutdown()
        let client = try KubernetesClient(configuration: configuration, logger: testLogger)
        await #expect { try await client.list(Node.self) } throws: { $0.isKubernetesError(.transport) }
        try await client.shutdown()
    }
}

/// A counter closures can bump.
final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
