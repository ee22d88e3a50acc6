import Foundation
import Kubernetes
import KubernetesTestSupport
import Logging
import Synchronization

/// Runs `body` with a fresh stand-in API server and a client pointed at it.
func withAPIServer<T>(
    qps: Double = 0, burst: Int = 1, configure: (inout ClientConfiguration) -> Void = { _ in },
    _ body: (TestAPIServer, KubernetesClient) async throws -> T
) async throws -> T {
    let server = try await TestAPIServer.start()
    var configuration = server.clientConfiguration(qps: qps, burst: burst)
    configure(&configuration)
    let client = try KubernetesClient(configuration: configuration, logger: testLogger)
    do {
        let result = try await body(server, client)
        try await client.shutdown()
        await server.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        await server.shutdown()
        throw error
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "kubernetes-tests")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .trace : .critical
    return logger
}()

func makeNode(_ name: String, labels: [String: String] = [:]) -> Node {
    var node = Node(name: name)
    node.metadata.labels = labels
    node.status.conditions = [NodeCondition(type: "Ready", status: "True")]
    return node
}

func makeService(_ name: String, namespace: String = "default", type: String = "LoadBalancer") -> Service {
    var service = Service(name: name, namespace: namespace)
    service.spec.type = type
    service.spec.ports = [ServicePort(port: 80)]
    return service
}

/// A scratch directory removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kube-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// A set shared between a test and the tasks it starts.
final class LockedSet: Sendable {
    private let storage = Mutex<Set<String>>([])
    func insert(_ value: String) { storage.withLock { _ = $0.insert(value) } }
    func remove(_ value: String) { storage.withLock { _ = $0.remove(value) } }
    func contains(_ value: String) -> Bool { storage.withLock { $0.contains(value) } }
    var values: Set<String> { storage.withLock { $0 } }
}
