import CloudAPI
import CloudController
import Kubernetes
import LocalCloud
import Testing

/// The node lifecycle controller: deletes only on a confirmed 404, taints powered-off nodes.
@Suite(.serialized) struct LifecycleTests {
    func controller(_ h: NodeHarness, instances: any Instances) -> NodeLifecycleController {
        NodeLifecycleController(
            client: h.client, nodes: h.nodes, instances: instances,
            recorder: EventRecorder(client: h.client, component: NodeLifecycleController.component, logger: h.logger),
            period: .seconds(3600), logger: h.logger)
    }

    @Test func confirmedGoneNotReadyNodeIsDeletedWithAnEvent() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("doomed")
            try await h.createNode("doomed", ready: false, initializedWith: instance)
            try await h.cloud.deleteInstance(id: instance.id)
            await controller(h, instances: CachedInstances(backend: h.counting, ttl: .seconds(5))).monitor()
            #expect(try await h.node("doomed") == nil)
            let events = try await h.events("DeletingNode", about: "doomed")
            #expect(events.count == 1)
            #expect(events.first?.message?.contains("does not exist in the cloud provider") == true)
        }
    }

    @Test func readyNodeIsNeverDeletedEvenIfItsInstanceIsGone() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("busy")
            try await h.createNode("busy", ready: true, initializedWith: instance)
            try await h.cloud.deleteInstance(id: instance.id)
            await controller(h, instances: CachedInstances(backend: h.counting, ttl: .seconds(5))).monitor()
            #expect(try await h.node("busy") != nil)
            #expect(h.counting.total == 0)  // Ready nodes cost no cloud call
        }
    }

    @Test func noDeleteWhileTheCloudFailsThenDeleteOnceItAnswers() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("patient")
            try await h.createNode("patient", ready: false, initializedWith: instance)
            try await h.cloud.deleteInstance(id: instance.id)
            let lifecycle = controller(h, instances: CachedInstances(backend: h.counting, ttl: .zero))
            h.cloudServer.setFaults(FaultSpec(errorRate: 1))
            for _ in 0..<3 { await lifecycle.monitor() }
            #expect(try await h.node("patient") != nil)
            #expect(h.counting.count("instances") >= 3)  // it asked, and got errors
            // Throttled answers are not "gone" either.
            h.cloudServer.setFaults(FaultSpec(throttleRate: 1))
            await lifecycle.monitor()
            #expect(try await h.node("patient") != nil)
            h.cloudServer.setFaults(FaultSpec())
            await lifecycle.monitor()
            #expect(try await h.node("patient") == nil)
        }
    }

    @Test func noDeleteWhenTheListWorksButTheDirectLookupFails() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("edge")
            try await h.createNode("edge", ready: false, initializedWith: instance)
            try await h.cloud.deleteInstance(id: instance.id)
            // The list answers (without the instance); the confirming GET fails.
            let cache = CachedInstances(backend: h.counting, ttl: .seconds(60))
            _ = try await cache.instances()
            h.cloudServer.inject(.error, count: 2)  // both attempts of one GET
            let lifecycle = controller(h, instances: cache)
            await lifecycle.monitor()
            #expect(try await h.node("edge") != nil)
            #expect(h.counting.count("instance") == 1)
            await lifecycle.monitor()  // the GET answers 404 now
            #expect(try await h.node("edge") == nil)
        }
    }

    @Test func poweredOffNotReadyNodeIsTaintedAndUntaintedWhenReady() async throws {
        try await NodeHarness.with { h in
            let instance = try await h.newInstance("sleepy")
            try await h.createNode("sleepy", ready: false, initializedWith: instance)
            let lifecycle = controller(h, instances: CachedInstances(backend: h.counting, ttl: .zero))
            await lifecycle.monitor()
            #expect(try await h.node("sleepy")?.hasTaint(CloudTaints.shutdown) == false)  // running: no taint
            try await h.cloud.setPower(instanceID: instance.id, running: false)
            await lifecycle.monitor()
            let tainted = try #require(try await h.node("sleepy"))
            #expect(tainted.spec.taints.contains { $0.key == CloudTaints.shutdown && $0.effect == "NoSchedule" })
            _ = await eventually { h.nodes.cache.get(name: "sleepy")?.hasTaint(CloudTaints.shutdown) == true }
            await lifecycle.monitor()  // already tainted: no second taint
            #expect(try await h.node("sleepy")?.spec.taints.filter { $0.key == CloudTaints.shutdown }.count == 1)
            try await h.setReady("sleepy", true)
            await lifecycle.monitor()
            #expect(try await h.node("sleepy")?.hasTaint(CloudTaints.shutdown) == false)
        }
    }

    @Test func onePeriodCostsOneListCallNotOnePerNode() async throws {
        try await NodeHarness.with { h in
            for index in 0..<20 {
                let instance = try await h.newInstance("n\(index)")
                try await h.createNode("n\(index)", ready: false, initializedWith: instance)
            }
            _ = await eventually { h.nodes.cache.count == 20 }
            let lifecycle = controller(h, instances: CachedInstances(backend: h.counting, ttl: .seconds(5)))
            await lifecycle.monitor()
            #expect(h.counting.count("instances") == 1)
            #expect(h.counting.count("instance") == 0)
        }
    }
}
