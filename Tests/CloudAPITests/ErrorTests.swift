import CloudAPI
import LocalCloud
import Testing

@Suite struct ErrorTests {
    @Test func everyHTTPErrorClassIsTypedWithStatusMessageAndPath() async throws {
        // A pending window long enough that "attach while still pending" (423) holds even on a
        // loaded machine; the test waits it out once.
        try await Harness.with(server: { $0.pendingDuration = .seconds(2) },
                               client: { $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5)) }) { h in
            let instance = try await h.newInstance()

            let notFound = await #expect(throws: CloudError.self) { try await h.client.volume(id: "missing-id") }
            #expect(notFound?.code == .notFound)
            #expect(notFound?.status == 404)
            #expect(notFound?.path == "GET /v2/blocks/missing-id")
            // The API's own words (Vultr's, which vultr-csi matches); the client classifies by status.
            #expect(notFound?.message == "Invalid block storage ID")

            let invalid = await #expect(throws: CloudError.self) {
                try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 5, label: "tiny"))
            }
            #expect(invalid?.code == .invalidInput)
            #expect(invalid?.status == 400)
            #expect(invalid?.message.contains("size_gb") == true)
            #expect(invalid?.path == "POST /v2/blocks")

            let pending = try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "p"))
            let busy = await #expect(throws: CloudError.self) {
                try await h.client.attachVolume(id: pending.id, instanceID: instance.id)
            }
            #expect(busy?.code == .busy)
            #expect(busy?.status == 423)

            let volume = try await h.client.waitUntilActive(volumeID: pending.id, timeout: .seconds(10))
            try await h.client.attachVolume(id: volume.id, instanceID: instance.id)
            let conflict = await #expect(throws: CloudError.self) { try await h.client.deleteVolume(id: volume.id) }
            #expect(conflict?.code == .conflict)
            #expect(conflict?.status == 409)

            h.server.inject(.throttle(retryAfterSeconds: 0), count: 2)
            let limited = await #expect(throws: CloudError.self) { try await h.client.volumes() }
            #expect(limited?.code == .rateLimited)
            #expect(limited?.status == 429)

            h.server.inject(.error, count: 2)
            let unavailable = await #expect(throws: CloudError.self) { try await h.client.volumes() }
            #expect(unavailable?.code == .unavailable)
            #expect(unavailable?.status == 500)

            let badID = await #expect(throws: CloudError.self) { try await h.client.volume(id: "../etc") }
            #expect(badID?.code == .invalidInput)
        }
    }

    @Test func wrongKeyIsUnauthorizedAndNotRetried() async throws {
        try await Harness.with(client: { $0.apiKey = APIKey("WRONG-KEY-value") }) { h in
            let error = await #expect(throws: CloudError.self) { try await h.client.volumes() }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(h.requests("blocks.list") == 1)
            #expect(h.counter("cloudapi_retries_total", []) == 0)
        }
    }

    @Test func connectionRefusedIsTransportAfterRetries() async throws {
        try await Harness.with { h in
            let port = h.server.port
            await h.server.stop()
            let client = VultrClient(
                configuration: .init(
                    baseURL: "http://127.0.0.1:\(port)", apiKey: APIKey(Harness.key),
                    retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5)),
                    rateLimiter: TokenBucket(rate: 1000, burst: 100), metricsFactory: h.metrics),
                logger: h.logs.logger)
            let error = await #expect(throws: CloudError.self) { try await client.volumes() }
            #expect(error?.code == .transport)
            #expect(error?.status == nil)
            #expect(h.counter("cloudapi_requests_total", [("operation", "blocks.list"), ("status", "error")]) == 3)
            #expect(h.counter("cloudapi_retries_total", [("operation", "blocks.list")]) == 2)
            // A refused connection never carried the request, so even a create is retried.
            let create = await #expect(throws: CloudError.self) {
                try await client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "x"))
            }
            #expect(create?.code == .transport)
            #expect(h.counter("cloudapi_retries_total", [("operation", "blocks.create")]) == 2)
        }
    }

    @Test func slowAnswersTimeOut() async throws {
        try await Harness.with(
            server: { $0.faults = FaultSpec(latencyMilliseconds: 1500) },
            client: { $0.requestTimeout = .milliseconds(200); $0.retry = .none }
        ) { h in
            let error = await #expect(throws: CloudError.self) { try await h.client.volumes() }
            #expect(error?.code == .timeout)
        }
    }
}
