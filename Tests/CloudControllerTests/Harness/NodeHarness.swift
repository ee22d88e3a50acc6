import CloudAPI
import CloudController
import Foundation
import Kubernetes
import KubernetesTestSupport
import LocalCloud
import Logging
import MetricsTestKit
import ServiceLifecycle
import Synchronization

/// An in-process Kubernetes stand-in and an in-process local cloud, a client for each, the
/// shared node informer running, and cloud calls counted per operation (`CountingCloud`).
struct NodeHarness {
    static let key = "ccm-test-key-0123456789abcdef"
    let api: TestAPIServer
    let client: KubernetesClient
    let cloudServer: LocalCloudServer
    let cloud: VultrClient
    let counting: CountingCloud
    let nodes: Informer<Node>
    let logger: Logger

    static let testLogger: Logger = {
        var logger = Logger(label: "cloud-controller-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .trace : .critical
        return logger
    }()

    static func with(
        routes: Bool = true, _ body: (NodeHarness) async throws -> Void
    ) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ccm-test-\(UUID().uuidString)")
        let cloudServer = try await LocalCloudServer.start(
            configuration: LocalCloudConfiguration(
                dataDirectory: dir, apiKey: key, rateLimit: 0, pendingDuration: .milliseconds(0)),
            logger: testLogger)
        let cloud = VultrClient(
            configuration: .init(
                baseURL: cloudServer.baseURL, apiKey: APIKey(key), requestTimeout: .seconds(5),
                retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)),
                rateLimiter: TokenBucket(rate: 10_000, burst: 1_000), pageSize: 500, hasRoutesExtension: routes,
                metricsFactory: TestMetrics()),
            logger: testLogger)
        let api = try await TestAPIServer.start(logger: testLogger)
        let client = try KubernetesClient(configuration: api.clientConfiguration(), logger: testLogger)
        let nodes = Informer<Node>(client: client, logger: testLogger)
        let harness = NodeHarness(
            api: api, client: client, cloudServer: cloudServer, cloud: cloud, counting: CountingCloud(cloud),
            nodes: nodes, logger: testLogger)
        let informerTask = Task { try await nodes.run() }
        await nodes.waitUntilSynced()
        do {
            try await body(harness)
        } catch {
            informerTask.cancel()
            await harness.stop(dir)
            throw error
        }
        informerTask.cancel()
        _ = await informerTask.result
        await harness.stop(dir)
    }

    private func stop(_ dir: URL) async {
        try? await client.shutdown()
        await api.shutdown()
        await cloudServer.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// Runs `service` while `body` runs, then cancels it.
    func running<T>(_ service: any ServiceLifecycle.Service, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await service.run() }
        defer { task.cancel() }
        return try await body()
    }

    func newInstance(_ label: String) async throws -> Instance {
        try await cloud.createInstance(InstanceCreateRequest(region: "ewr", plan: "vc2-1c-1gb", label: label))
    }

    /// A node as the kubelet registers it (tainted unless `initializedWith` names its instance).
    @discardableResult
    func createNode(
        _ name: String, ready: Bool = true, podCIDR: String? = nil, providedIP: String? = nil,
        initializedWith instance: Instance? = nil
    ) async throws -> Node {
        var node = Node(name: name)
        node.status.conditions = [NodeCondition(type: "Ready", status: ready ? "True" : "False")]
        if let podCIDR {
            node.spec.podCIDR = podCIDR
            node.spec.podCIDRs = [podCIDR]
        }
        if let providedIP { node.metadata.annotations = [Node.providedNodeIPAnnotation: providedIP] }
        if let instance {
            node.spec.providerID = ProviderID(instanceID: instance.id).description
        } else {
            node.spec.taints = [Taint(key: CloudTaints.uninitialized, value: "true", effect: "NoSchedule")]
        }
        let created = try await client.create(node)
        _ = await eventually { nodes.cache.get(name: name) != nil }
        return created
    }

    func node(_ name: String) async throws -> Node? {
        do {
            return try await client.get(Node.self, name: name)
        } catch let error as KubernetesError where error.code == .notFound {
            return nil
        }
    }

    func setReady(_ name: String, _ ready: Bool) async throws {
        _ = try await client.modify(Node.self, name: name, status: true) { node in
            node.status.conditions = [NodeCondition(type: "Ready", status: ready ? "True" : "False")]
            return true
        }
        _ = await eventually { nodes.cache.get(name: name)?.isReady == ready }
    }

    /// Events recorded about `name` with `reason`.
    func events(_ reason: String, about name: String) async throws -> [Event] {
        try await client.list(Event.self, namespace: "default").items.filter {
            $0.reason == reason && $0.involvedObject.name == name
        }
    }

    /// Requests the stand-in received for `method` whose path ends with `suffix`.
    func requests(_ method: String, _ suffix: String) -> Int {
        api.requests.filter { $0.method == method && $0.path.hasSuffix(suffix) }.count
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(15), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
