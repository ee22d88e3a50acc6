import CloudAPI
import CloudController
import Foundation
import Kubernetes
import KubernetesTestSupport
import LocalCloud
import Logging
import MetricsTestKit
import Synchronization
import Testing

/// The service controller running in-process against a real local cloud (HTTP, SQLite) and the
/// in-process Kubernetes stand-in, with handles to arrange and inspect both sides.
final class ServiceHarness: Sendable {
    static let key = "svc-test-key-71c3"
    private let cloudServer: Mutex<LocalCloudServer>
    /// The local cloud now running (a new instance after ``restartCloud(down:)``).
    var cloud: LocalCloudServer { cloudServer.withLock { $0 } }
    /// Straight to the local cloud, for arranging and checking state behind the controller's back.
    let api: VultrClient
    /// What the controller's cloud calls go through (counted).
    let counting: CountingLoadBalancers
    /// The controller's client's metrics: `cloudapi_requests_total` counts HTTP exchanges (pages).
    let metrics: TestMetrics
    let apiServer: TestAPIServer
    let client: KubernetesClient
    let configuration: ServiceControllerConfiguration
    let directory: URL
    private let running = Mutex<Task<Void, any Error>?>(nil)
    private let current = Mutex<ServiceController?>(nil)

    private init(
        cloud: LocalCloudServer, api: VultrClient, counting: CountingLoadBalancers, metrics: TestMetrics, apiServer: TestAPIServer,
        client: KubernetesClient, configuration: ServiceControllerConfiguration, directory: URL
    ) {
        self.cloudServer = Mutex(cloud)
        self.api = api
        self.counting = counting
        self.metrics = metrics
        self.apiServer = apiServer
        self.client = client
        self.configuration = configuration
        self.directory = directory
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "service-controller-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical
        return logger
    }

    /// - Parameter cloudPending: how long new load balancers stay `pending` in the local cloud.
    static func with(
        cloudPending: Duration = .milliseconds(300),
        configure: (inout ServiceControllerConfiguration) -> Void = { _ in },
        start: Bool = true,
        _ body: (ServiceHarness) async throws -> Void
    ) async throws {
        let directory = URL(fileURLWithPath: "/tmp/svc-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cloud = try await LocalCloudServer.start(
            configuration: LocalCloudConfiguration(
                dataDirectory: directory.appendingPathComponent("cloud"), apiKey: key, rateLimit: 0,
                pendingDuration: cloudPending),
            logger: quietLogger)
        let metrics = TestMetrics()
        func cloudClient(metrics: TestMetrics?) -> VultrClient {
            VultrClient(
                configuration: .init(
                    baseURL: cloud.baseURL, apiKey: APIKey(key), requestTimeout: .seconds(5),
                    retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
                    rateLimiter: TokenBucket(rate: 10_000, burst: 1_000), metricsFactory: metrics ?? TestMetrics()),
                logger: quietLogger)
        }
        let api = cloudClient(metrics: nil)
        let apiServer = try await TestAPIServer.start(logger: quietLogger)
        let client = try KubernetesClient(configuration: apiServer.clientConfiguration(), logger: quietLogger)
        var configuration = ServiceControllerConfiguration(
            workers: 2, lbResyncPeriod: .seconds(3600), pendingRequeue: .milliseconds(200),
            cloudSnapshotMaxAge: .seconds(30), nodeSyncDebounce: .milliseconds(100))
        configure(&configuration)
        let harness = ServiceHarness(
            cloud: cloud, api: api, counting: CountingLoadBalancers(cloudClient(metrics: metrics)), metrics: metrics, apiServer: apiServer, client: client,
            configuration: configuration, directory: directory)
        if start { harness.startController() }
        do {
            try await body(harness)
        } catch {
            await harness.tearDown()
            throw error
        }
        await harness.tearDown()
    }

    private func tearDown() async {
        await stopController()
        try? await client.shutdown()
        await apiServer.shutdown()
        await cloud.stop()
    }

    /// Starts a fresh controller (new informers, new caches) as a restarted process would.
    func startController() {
        let logger = Self.quietLogger
        let services = Informer<Service>(client: client, logger: logger)
        let nodes = Informer<Node>(client: client, logger: logger)
        let secrets = Informer<Secret>(client: client, logger: logger)
        let configMaps = Informer<ConfigMap>(client: client, logger: logger)
        let recorder = EventRecorder(client: client, component: "service-controller", logger: logger)
        let controller = ServiceController(
            client: client, services: services, nodes: nodes, secrets: secrets, configMaps: configMaps, cloud: counting,
            recorder: recorder, configuration: configuration, logger: logger)
        let task = Task {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await services.run() }
                group.addTask { try await nodes.run() }
                group.addTask { try await secrets.run() }
                group.addTask { try await configMaps.run() }
                group.addTask { try await controller.run() }
            }
        }
        running.withLock { $0 = task }
        current.withLock { $0 = controller }
    }

    /// Waits until the controller is at rest: nothing queued and no cloud call for 500 ms, so a
    /// count taken afterwards belongs to what the test does next, not to a reconcile still
    /// finishing from before (e.g. the informers' first delivery of an object created earlier).
    func settle(timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last = counting.total
        var quietSince = clock.now
        while clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let depth = current.withLock { $0 }?.queue.depth ?? 0
            let now = counting.total
            if now != last || depth > 0 {
                last = now
                quietSince = clock.now
            } else if clock.now - quietSince >= .milliseconds(500) {
                return
            }
        }
        Issue.record("the service controller did not come to rest within \(timeout)")
    }

    /// Asks the running controller for a drift-repair round now.
    func resync() async { await current.withLock { $0 }?.resync() }

    /// HTTP exchanges the controller's cloud client made (every page of a list counts).
    var cloudRequests: Int64 {
        metrics.counters(label: "cloudapi_requests_total").reduce(0) { $0 + $1.totalValue }
    }

    func stopController() async {
        guard let task = running.withLock({ current -> Task<Void, any Error>? in
            defer { current = nil }
            return current
        }) else { return }
        task.cancel()
        _ = await task.result
    }

    /// Stops the controller, removes the Service's id annotation and starts a fresh controller;
    /// checks that it records `id` again without creating anything and that `id` is the only
    /// load balancer.
    func restartForgettingID(of name: String, expecting id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        await stopController()
        try await updateService(name) { $0.metadata.annotations[Self.idKey] = nil }
        counting.reset()
        startController()
        try await eventually("id recorded again", sourceLocation: sourceLocation) {
            try await service(name)?.metadata.annotations[Self.idKey] == id
        }
        #expect(counting.count(.create) == 0, sourceLocation: sourceLocation)
        #expect(try await api.loadBalancers().map(\.id) == [id], sourceLocation: sourceLocation)
    }

    /// Stops the local cloud (connections refused), runs `whileDown`, then starts it again on
    /// the same port with the same state.
    func restartCloud(down whileDown: () async throws -> Void) async throws {
        let old = cloud
        await old.stop()
        try await whileDown()
        var configuration = old.configuration
        configuration.port = old.port
        let new = try await LocalCloudServer.start(configuration: configuration, logger: Self.quietLogger)
        cloudServer.withLock { $0 = new }
    }

    // MARK: Arranging

    /// The common start: one Ready node, a Service `web` on port 80, its address published.
    func publishWeb() async throws {
        try await addNode("node-a")
        try await createService("web")
        try await waitUntilPublished("web")
    }

    /// A cloud instance and a Ready node pointing at it.
    @discardableResult
    func addNode(
        _ name: String, region: String? = "ewr", ready: Bool = true, labels: [String: String] = [:]
    ) async throws -> (node: Node, instanceID: String) {
        let instance = try await api.createInstance(InstanceCreateRequest(region: region ?? "ewr", plan: "vc2-1c-1gb", label: name))
        var node = Node(name: name)
        node.metadata.labels = labels.merging(region.map { ["topology.kubernetes.io/region": $0] } ?? [:]) { a, _ in a }
        node.spec.providerID = "vultr://\(instance.id)"
        node.status.conditions = [NodeCondition(type: "Ready", status: ready ? "True" : "False")]
        return (try await client.create(node), instance.id)
    }

    @discardableResult
    func createService(
        _ name: String, ports: [ServicePort] = [ServicePort(name: "http", port: 80, nodePort: 30080)],
        annotations: [String: String] = [:], configure: (inout Service) -> Void = { _ in }
    ) async throws -> Service {
        var service = Service(name: name, namespace: "default")
        service.spec.type = "LoadBalancer"
        service.spec.ports = ports
        service.spec.selector = ["app": name]
        service.metadata.annotations = annotations
        configure(&service)
        return try await client.create(service)
    }

    func service(_ name: String) async throws -> Service? {
        do {
            return try await client.get(Service.self, name: name, namespace: "default")
        } catch let error as KubernetesError where error.code == .notFound {
            return nil
        }
    }

    func updateService(_ name: String, _ change: @escaping @Sendable (inout Service) -> Void) async throws {
        _ = try await client.modify(Service.self, name: name, namespace: "default") { service in
            change(&service)
            return true
        }
    }

    // MARK: Inspecting

    /// The load balancer the Service's id annotation names, read from the cloud directly.
    func loadBalancer(of name: String) async throws -> LoadBalancer? {
        guard let id = try await service(name)?.metadata.annotations[Self.idKey] else { return nil }
        return try await api.loadBalancers().first { $0.id == id }
    }

    /// Waits until every named Service has an address in its status.
    func waitUntilPublished(_ names: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("\(names.joined(separator: ", ")) published", sourceLocation: sourceLocation) {
            for name in names where try await service(name)?.status.loadBalancerIngress.isEmpty != false { return false }
            return true
        }
    }

    static let idKey = "service.beta.kubernetes.io/vultr-loadbalancer-id"

    func events(_ serviceName: String, reason: String? = nil) async throws -> [Event] {
        try await client.list(Event.self, namespace: "default").items.filter {
            $0.involvedObject.name == serviceName && (reason == nil || $0.reason == reason)
        }
    }

    /// Polls until `condition` holds; fails the test with `what` when it never does.
    func eventually(
        _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let held = try await condition()
        #expect(held, "never happened: \(what)", sourceLocation: sourceLocation)
        if !held { throw HarnessTimeout(what: what) }
    }

    struct HarnessTimeout: Error { let what: String }
}
