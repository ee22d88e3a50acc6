import CloudAPI
import LocalCloud
import Testing

/// The client under random 500s, 429s and responses lost after commit, driven the way the CSI
/// controller will drive it (retry the whole step; find what a lost create made by its label):
/// every flow converges and nothing is created twice.
@Suite struct FaultToleranceTests {
    private static let transient: Set<CloudError.Code> = [.transport, .unavailable, .rateLimited, .timeout]

    @Test func flowsConvergeWithoutDuplicatesUnderRandomFaults() async throws {
        try await Harness.with(
            server: { $0.pendingDuration = .milliseconds(20) },
            // The injected 429s ask for 1 s; cap that so the test stays quick.
            client: { $0.retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), maxRetryAfter: .milliseconds(50)) }
        ) { h in
            let instance = try await h.newInstance()
            h.server.setFaults(FaultSpec(errorRate: 0.15, throttleRate: 0.1, dropAfterCommitRate: 0.1))
            for n in 0..<8 {
                let label = "pvc-\(n)"
                let volume = try await Self.step {
                    if let existing = try await h.client.volume(labeled: label) { return existing }
                    return try await h.client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: 10, label: label))
                }
                try await Self.step { try await h.client.waitUntilActive(volumeID: volume.id, timeout: .seconds(10)) }
                try await Self.step {
                    let current = try await h.client.volume(id: volume.id)
                    if current.attachedInstanceID == instance.id { return current }
                    try await h.client.attachVolume(id: volume.id, instanceID: instance.id)
                    return try await h.client.waitUntilAttached(volumeID: volume.id, instanceID: instance.id, timeout: .seconds(10))
                }
            }
            h.server.setFaults(FaultSpec())
            let volumes = try await h.client.volumes()
            #expect(volumes.count == 8)
            #expect(Set(volumes.map(\.label)).count == 8)
            #expect(volumes.allSatisfy { $0.attachedInstanceID == instance.id })
            // The faults really happened and were ridden out.
            #expect(h.counter("cloudapi_retries_total", []) > 0)
        }
    }

    /// Runs `body` until it succeeds, retrying transient failures and conflicts (a lost attach
    /// answer shows up as "already attached" on the next try), as an orchestrator would.
    @discardableResult
    private static func step<T>(_ body: () async throws -> T) async throws -> T {
        var last: (any Error)?
        for _ in 0..<15 {
            do {
                return try await body()
            } catch let error as CloudError where transient.contains(error.code) || error.code == .conflict {
                last = error
            }
        }
        throw last!
    }
}
