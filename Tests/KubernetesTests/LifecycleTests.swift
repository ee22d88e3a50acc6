import Kubernetes
import KubernetesTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct LifecycleTests {
    @Test func controllerStackRunsUnderLeaderElectionAndStopsOnShutdown() async throws {
        try await withAPIServer { server, client in
            _ = try await client.create(makeNode("n1"))
            let informer = Informer<Node>(client: client, logger: testLogger)
            let reconciled = LockedSet()
            let controller = Controller<String>(name: "node", workers: 2, logger: testLogger) { key in
                reconciled.insert(key)
                return .done
            }
            informer.addHandler(.enqueue(into: controller.queue))
            let elector = LeaderElector(
                client: client, configuration: LeaderElectorTests.configuration("ccm-1"), logger: testLogger,
                services: [informer, controller])
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(services: [elector], logger: testLogger))
            let run = Task { try await group.run() }
            #expect(await eventually { reconciled.contains("n1") })
            _ = try await client.create(makeNode("n2"))
            #expect(await eventually { reconciled.contains("n2") })
            await group.triggerGracefulShutdown()
            try await run.value
            #expect(!elector.isLeader)
            let lease = try await client.get(Lease.self, name: "cloud-controller-manager", namespace: "kube-system")
            #expect(lease.spec.holderIdentity == nil)
            #expect(controller.queue.isShuttingDown)
        }
    }

    @Test func losingLeadershipEndsTheServiceGroup() async throws {
        try await withAPIServer { server, client in
            let informer = Informer<Node>(client: client, logger: testLogger)
            let elector = LeaderElector(
                client: client, configuration: LeaderElectorTests.configuration("ccm-1"), logger: testLogger,
                services: [informer])
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [elector], logger: testLogger))
            let run = Task { try await group.run() }
            #expect(await eventually { elector.isLeader && informer.hasSynced })
            server.inject(InjectedFailure(status: 503, method: "GET", pathContains: "/leases/", count: 10_000))
            await #expect { try await run.value } throws: { error in
                "\(error)".contains("lost")
            }
        }
    }
}
