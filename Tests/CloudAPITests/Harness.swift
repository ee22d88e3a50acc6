import CloudAPI
import Foundation
import LocalCloud
import Logging
import MetricsTestKit
import Synchronization

/// An in-process local cloud plus a client wired to it with its own token bucket, fast
/// retries, test metrics and a log capture.
struct Harness {
    static let key = "SECRET-cafe-0123456789abcdef"
    let server: LocalCloudServer
    let client: VultrClient
    let metrics: TestMetrics
    let logs: LogCapture
    let dataDirectory: URL

    static func with(
        server configureServer: (inout LocalCloudConfiguration) -> Void = { _ in },
        client configureClient: (inout VultrClient.Configuration) -> Void = { _ in },
        _ body: (Harness) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cloudapi-test-\(UUID().uuidString)")
        var config = LocalCloudConfiguration(dataDirectory: dir, apiKey: key, rateLimit: 0, pendingDuration: .milliseconds(100))
        configureServer(&config)
        let server = try await LocalCloudServer.start(configuration: config, logger: Logger(label: "localcloud"))
        let metrics = TestMetrics()
        let logs = LogCapture()
        var clientConfig = VultrClient.Configuration(
            baseURL: server.baseURL, apiKey: APIKey(key), requestTimeout: .seconds(10),
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100)),
            rateLimiter: TokenBucket(rate: 10_000, burst: 1_000), metricsFactory: metrics)
        configureClient(&clientConfig)
        let client = VultrClient(configuration: clientConfig, logger: logs.logger)
        let harness = Harness(server: server, client: client, metrics: metrics, logs: logs, dataDirectory: dir)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// HTTP exchanges recorded for an operation (all statuses).
    func requests(_ operation: String) -> Int64 {
        metrics.counters(label: "cloudapi_requests_total")
            .filter { $0.dimensions.contains { $0 == ("operation", operation) } }
            .reduce(0) { $0 + $1.totalValue }
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        metrics.counters(label: label).filter { counter in
            dimensions.allSatisfy { d in counter.dimensions.contains { $0 == d } }
        }.reduce(0) { $0 + $1.totalValue }
    }

    func newInstance() async throws -> Instance {
        try await client.createInstance(InstanceCreateRequest(region: "ewr", plan: "vc2-1c-1gb", label: "node"))
    }

    func newActiveVolume(size: Int = 10) async throws -> Volume {
        let volume = try await client.createVolume(VolumeCreateRequest(region: "ewr", sizeGB: size, label: "pvc"))
        return try await client.waitUntilActive(volumeID: volume.id, timeout: .seconds(10))
    }
}
