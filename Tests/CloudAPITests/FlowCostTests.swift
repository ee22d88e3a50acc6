import CloudAPI
import Testing

/// The cost in API calls of a CreateVolume-equivalent flow (create, wait active, attach, wait
/// attached), with the local cloud's default 500 ms pending time. hack/bench/bench-cloud prints it.
@Suite struct FlowCostTests {
    @Test func createWaitAttachWaitStaysCheap() async throws {
        try await Harness.with(server: { $0.pendingDuration = .milliseconds(500) }) { h in
            let instance = try await h.newInstance()
            let before = h.metrics.counterTotal(label: "cloudapi_requests_total")
            let volume = try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "pvc"))
            try await h.client.waitUntilActive(volumeID: volume.id, timeout: .seconds(10))
            try await h.client.attachVolume(id: volume.id, instanceID: instance.id)
            try await h.client.waitUntilAttached(volumeID: volume.id, instanceID: instance.id, timeout: .seconds(10))
            let calls = h.metrics.counterTotal(label: "cloudapi_requests_total") - before
            print("bench: flow_api_calls=\(calls) (create + wait active + attach + wait attached, 500 ms pending)")
            // 1 create + a few polls (250 ms, then x1.5) + 1 attach + 1 confirming read.
            #expect(calls >= 4)
            #expect(calls <= 8)
        }
    }
}
