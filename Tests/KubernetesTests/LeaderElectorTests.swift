import Kubernetes
import KubernetesTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct LeaderElectorTests {
    static func configuration(_ identity: String, release: Bool = true) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            leaseName: "cloud-controller-manager", namespace: "kube-system", identity: identity,
            leaseDuration: .seconds(2), renewDeadline: .milliseconds(1000), retryPeriod: .milliseconds(200),
            releaseOnCancel: release)
    }

    /// Starts an elector whose work runs until cancelled, flagging while it leads.
    static func start(
        _ client: KubernetesClient, _ identity: String, release: Bool = true, leading: LockedSet
    ) -> (LeaderElector, Task<Void, any Error>) {
        let elector = LeaderElector(client: client, configuration: configuration(identity, release: release), logger: testLogger) {
            leading.insert(identity)
            defer { leading.remove(identity) }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return (elector, Task { try await elector.run() })
    }

    @Test func oneLeadsAndTheOtherTakesOverAfterACleanStop() async throws {
        try await withAPIServer { server, client in
            let leading = LockedSet()
            let (a, runA) = Self.start(client, "a", leading: leading)
            #expect(await eventually { a.isLeader })
            let (b, runB) = Self.start(client, "b", leading: leading)
            // b keeps trying for a while and stays a follower.
            try await Task.sleep(for: .milliseconds(800))
            #expect(!b.isLeader)
            #expect(leading.values == ["a"])
            #expect(await eventually { b.observedHolder == "a" })
            let lease = try await client.get(Lease.self, name: "cloud-controller-manager", namespace: "kube-system")
            #expect(lease.spec.holderIdentity == "a")

            runA.cancel()
            try await runA.value
            // Released on the way out: b takes over well within one lease duration.
            let stopped = ContinuousClock.now
            #expect(await eventually(timeout: .seconds(5)) { b.isLeader })
            #expect(ContinuousClock.now - stopped < .seconds(2))
            #expect(await eventually { leading.values == ["b"] })
            let after = try await client.get(Lease.self, name: "cloud-controller-manager", namespace: "kube-system")
            #expect(after.spec.holderIdentity == "b")
            // Created by a (0 transitions), taken over once by b.
            #expect(after.spec.leaseTransitions == 1)
            runB.cancel()
            try await runB.value
        }
    }

    @Test func takeOverAfterTheLeaderDiesWithoutReleasing() async throws {
        try await withAPIServer { server, client in
            let leading = LockedSet()
            let (a, runA) = Self.start(client, "a", release: false, leading: leading)
            #expect(await eventually { a.isLeader })
            let (b, runB) = Self.start(client, "b", leading: leading)
            try await Task.sleep(for: .milliseconds(300))
            runA.cancel()
            try await runA.value
            let stopped = ContinuousClock.now
            #expect(await eventually(timeout: .seconds(8)) { b.isLeader })
            // Lease duration (2 s; API durations are whole seconds) plus a few retry periods.
            #expect(ContinuousClock.now - stopped >= .seconds(1))
            #expect(ContinuousClock.now - stopped < .seconds(5))
            #expect(await eventually { leading.values == ["b"] })
            runB.cancel()
            try await runB.value
        }
    }

    @Test func losingTheLeaseStopsTheWorkAndThrows() async throws {
        try await withAPIServer { server, client in
            let leading = LockedSet()
            let (a, runA) = Self.start(client, "a", leading: leading)
            #expect(await eventually { a.isLeader })
            // The API server refuses every lease write from now on.
            server.inject(InjectedFailure(status: 500, reason: "InternalError", method: "PUT", pathContains: "/leases/", count: 10_000))
            await #expect { try await runA.value } throws: { ($0 as? LeaderElectionError)?.code == .lost }
            #expect(!a.isLeader)
            #expect(leading.values.isEmpty)
        }
    }

    @Test func anotherHolderTakingTheLeaseStopsUs() async throws {
        try await withAPIServer { server, client in
            let leading = LockedSet()
            let (a, runA) = Self.start(client, "a", leading: leading)
            #expect(await eventually { a.isLeader })
            _ = try await client.modify(Lease.self, name: "cloud-controller-manager", namespace: "kube-system") { lease in
                lease.spec.holderIdentity = "intruder"
                return true
            }
            await #expect { try await runA.value } throws: { ($0 as? LeaderElectionError)?.code == .lost }
            #expect(leading.values.isEmpty)
        }
    }

    @Test func defaultsAndIdentity() throws {
        let configuration = LeaderElectionConfiguration(leaseName: "cloud-controller-manager")
        #expect(configuration.leaseDuration == .seconds(15))
        #expect(configuration.renewDeadline == .seconds(10))
        #expect(configuration.retryPeriod == .seconds(2))
        #expect(configuration.namespace == "kube-system")
        let parts = configuration.identity.split(separator: "_")
        #expect(parts.count >= 2)
        #expect(parts.last?.count == 36)
        try configuration.validate()
        var bad = configuration
        bad.renewDeadline = .seconds(20)
        #expect(throws: ConfigurationError.self) { try bad.validate() }
    }
}
