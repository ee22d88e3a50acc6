import CloudAPI
import CSI
import CSIController
import CSIDriver
import LocalCloud
import RPC
import Testing

@Suite struct RobustnessTests {
    @Test func aCreateWhoseAnswerWasLostMakesNoDuplicate() async throws {
        try await ControllerHarness.with(wrap: { LostAnswerCloud(client: $0, server: $1) }) { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("lost", requiredGiB: 10)).volume!
            let volumes = try await h.api.volumes()
            #expect(volumes.map(\.id) == [volume.volumeId])
            #expect(volumes.first?.label == "lost")
            let again = try await h.call(Controller.createVolume, Requests.create("lost", requiredGiB: 10)).volume!
            #expect(again.volumeId == volume.volumeId)

            let snapshot = try await h.call(Controller.createSnapshot, Requests.snapshot("lost-snap", of: volume.volumeId)).snapshot!
            #expect(try await h.api.snapshots().map(\.id) == [snapshot.snapshotId])
        }
    }

    @Test func randomLostAnswersNeverDuplicateVolumes() async throws {
        try await ControllerHarness.with(cloud: { $0.faults = FaultSpec(dropAfterCommitRate: 0.25) }) { h in
            for index in 0..<8 {
                // As a sidecar does: retry the same request until it succeeds.
                var created: CSI.Volume?
                for _ in 0..<12 where created == nil {
                    created = try? await h.call(Controller.createVolume, Requests.create("pvc-\(index)")).volume
                }
                #expect(created != nil, "pvc-\(index) was never created")
            }
            h.cloud.setFaults(FaultSpec())
            let labels = try await h.api.volumes().map(\.label)
            #expect(labels.sorted() == (0..<8).map { "pvc-\($0)" }.sorted(), "duplicates or missing volumes: \(labels)")
        }
    }

    @Test func concurrentCreatesWithOneNameMakeOneVolume() async throws {
        try await ControllerHarness.with(cloud: { $0.faults = FaultSpec(latencyMilliseconds: 20) }) { h in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        while true {
                            do {
                                return try await h.call(Controller.createVolume, Requests.create("shared")).volume!.volumeId
                            } catch let error as RPCError where error.code == .aborted {
                                try await Task.sleep(for: .milliseconds(50))
                            }
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await h.api.volumes().count == 1)
        }
    }

    @Test func aSecondOperationOnABusyVolumeIsAborted() async throws {
        try await ControllerHarness.with { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("busy")).volume!
            let node = try await h.newNode()
            // Hold the volume as a running operation does, then come in through the socket.
            try await h.inFlight.run(volume.volumeId, operation: "test") {
                let status = await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
                #expect(status.code == .aborted, "\(status)")
                #expect(await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId)).code == .aborted)
            }
            #expect(await h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node)).code == .ok)
        }
    }

    @Test func concurrentPublishAndDeleteOfOneVolumeOneIsAborted() async throws {
        try await ControllerHarness.with(cloud: { $0.faults = FaultSpec(latencyMilliseconds: 150) }) { h in
            let volume = try await h.call(Controller.createVolume, Requests.create("race")).volume!
            let node = try await h.newNode()
            async let publish = h.status(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            try await Task.sleep(for: .milliseconds(50))
            let delete = await h.status(Controller.deleteVolume, Requests.delete(volume.volumeId))
            #expect(await publish.code == .ok)
            #expect(delete.code == .aborted, "\(delete)")
        }
    }

    @Test func waitsEndBeforeTheCallersDeadlineAndARetryFinishesTheJob() async throws {
        // Seconds, not milliseconds: the driver answers a tenth of the time left (at least 250 ms)
        // before the caller's deadline, and a loaded machine must not make the client's own
        // deadline fire first.
        try await ControllerHarness.with(cloud: { $0.pendingDuration = .seconds(8) }) { h in
            do {
                _ = try await h.call(Controller.createVolume, Requests.create("slow"), timeout: .seconds(6))
                Issue.record("a create that cannot finish in time succeeded")
            } catch let error as RPCError {
                // The driver's own answer, not the client giving up: it names what it waited for.
                #expect(error.code == .deadlineExceeded)
                #expect(error.message.contains("becoming active"), "\(error)")
            }
            try await Task.sleep(for: .milliseconds(2500))
            let volume = try await h.call(Controller.createVolume, Requests.create("slow")).volume!
            #expect(try await h.api.volumes().map(\.id) == [volume.volumeId])
        }
    }

    @Test func aSlowCloudStillGetsAnAnswerBeforeTheCallersDeadline() async throws {
        // Every cloud call takes 4 s and the volume stays pending: the create's POST ends at 4 s,
        // a first look at 8 s, and a second look, started then, would end past the client's 10 s
        // deadline. The driver abandons it at its own deadline (a tenth of the time left earlier)
        // and answers first, naming what it waited for.
        try await ControllerHarness.with(cloud: {
            $0.pendingDuration = .seconds(60)
            $0.faults = FaultSpec(latencyMilliseconds: 4000)
        }) { h in
            let started = ContinuousClock.now
            do {
                _ = try await h.call(Controller.createVolume, Requests.create("slow-cloud"), timeout: .seconds(10))
                Issue.record("a create that cannot finish in time succeeded")
            } catch let error as RPCError {
                #expect(error.code == .deadlineExceeded)
                #expect(error.message.contains("becoming active"), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func createAndPublishCostFiveCallsOrFewer() async throws {
        try await ControllerHarness.with { h in
            let node = try await h.newNode()
            let before = h.metrics.counters(label: "cloudapi_requests_total").reduce(0) { $0 + $1.totalValue }
            let volume = try await h.call(Controller.createVolume, Requests.create("cheap")).volume!
            _ = try await h.call(Controller.controllerPublishVolume, Requests.publish(volume.volumeId, to: node))
            let after = h.metrics.counters(label: "cloudapi_requests_total").reduce(0) { $0 + $1.totalValue }
            #expect(after - before <= 5, "\(after - before) API calls")
        }
    }
}
