@testable import CloudAPI
import Foundation
import LocalCloud
import Testing

@Suite struct RetryTests {
    @Test func succeedsAfterInjected500s() async throws {
        try await Harness.with { h in
            h.server.inject(.error, count: 2)
            let volume = try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "r"))
            #expect(volume.sizeGB == 10)
            #expect(h.counter("cloudapi_requests_total", [("operation", "blocks.create"), ("status", "500")]) == 2)
            #expect(h.counter("cloudapi_requests_total", [("operation", "blocks.create"), ("status", "202")]) == 1)
            #expect(h.counter("cloudapi_retries_total", [("operation", "blocks.create")]) == 2)
            // The failed attempts changed nothing: exactly one volume exists.
            #expect(try await h.client.volumes().count == 1)
        }
    }

    @Test func succeedsAfterInjected429sAndCountsThrottles() async throws {
        try await Harness.with { h in
            h.server.inject(.throttle(retryAfterSeconds: 0), count: 3)
            let volumes = try await h.client.volumes()
            #expect(volumes.isEmpty)
            #expect(h.counter("cloudapi_throttles_total", [("operation", "blocks.list"), ("source", "server")]) == 3)
            #expect(h.counter("cloudapi_retries_total", [("operation", "blocks.list")]) == 3)
        }
    }

    @Test func honoursRetryAfter() async throws {
        try await Harness.with { h in
            h.server.inject(.throttle(retryAfterSeconds: 1))
            let start = ContinuousClock.now
            _ = try await h.client.volumes()
            // Backoff alone would be ~10 ms; only Retry-After explains a wait of a second.
            #expect(start.duration(to: .now) >= .milliseconds(950))
        }
    }

    @Test func retriesAResponseDroppedAfterCommit() async throws {
        try await Harness.with { h in
            let instance = try await h.newInstance()
            h.server.inject(.dropAfterCommit)
            #expect(try await h.client.instance(id: instance.id).id == instance.id)
            #expect(h.counter("cloudapi_requests_total", [("operation", "instances.get"), ("status", "error")]) == 1)
        }
    }

    @Test func aCreateWhoseResponseIsLostIsNotRepeated() async throws {
        try await Harness.with { h in
            h.server.inject(.dropAfterCommit)
            let error = await #expect(throws: CloudError.self) {
                try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: "once"))
            }
            #expect(error?.code == .transport)
            #expect(error?.message.contains("outcome unknown") == true)
            #expect(h.requests("blocks.create") == 1)
            // The create did happen, exactly once: the caller finds it by label.
            let labels = try await h.client.volumes().map(\.label)
            #expect(labels == ["once"])
            let found = try await h.client.volume(labeled: "once")
            #expect(found?.sizeGB == 10)
            #expect(try await h.client.volume(labeled: "never") == nil)
        }
    }

    @Test func backoffGrowsWithinItsCapAndRetryAfterRaisesTheFloor() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        // Backoff grows and stays under the cap; Retry-After raises the floor.
        let first = policy.delay(afterAttempt: 1)
        #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
        let late = policy.delay(afterAttempt: 10)
        #expect(late >= .seconds(1) && late <= .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3)) == .seconds(3))
    }

    @Test func classificationByStatus() {
        let expected: [Int: CloudError.Code] = [
            400: .invalidInput, 422: .invalidInput, 401: .unauthorized, 403: .unauthorized, 404: .notFound,
            409: .conflict, 423: .busy, 429: .rateLimited, 500: .unavailable, 502: .unavailable,
            503: .unavailable, 501: .unsupported, 418: .unexpected,
        ]
        for (status, code) in expected {
            #expect(CloudError.code(forStatus: status) == code, "\(status)")
        }
        #expect([429, 500, 502, 503, 504].allSatisfy(CloudError.isRetryable(status:)))
        #expect(![400, 401, 404, 409, 423, 501].contains(where: CloudError.isRetryable(status:)))
    }
}
