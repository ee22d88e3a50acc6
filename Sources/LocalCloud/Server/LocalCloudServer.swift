import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The local cloud's HTTP server: the Vultr v2 dialect under `/v2`, the metadata document at
/// `/v1.json`, state in SQLite under the data directory. Start it with
/// ``start(configuration:logger:)``, stop it with ``stop()``; it can run in-process in tests.
public final class LocalCloudServer: Sendable {
    public let configuration: LocalCloudConfiguration
    /// The port actually bound (useful when the configuration asked for port 0).
    public let port: Int
    /// Where clients reach it, e.g. `http://127.0.0.1:41234`.
    public var baseURL: String { "http://\(ListenAddress(host: configuration.host, port: port))" }
    /// The port of the `/metrics` listener, when there is one.
    public let metricsPort: Int?

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var acceptLoops: [Task<Void, Never>] = []
        var stopped = false
        var stopping: Task<Void, Never>?
        var dataPlaneLoop: Task<Void, Never>?
    }

    private let handler: APIHandler
    private let limiter: RateLimiter
    private let faults: FaultInjector
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let serverChannels: [any Channel]
    private let dataPlane: LoadBalancerDataPlane?
    private let dataPlaneGroup: MultiThreadedEventLoopGroup?
    private let dataPlaneChanges = DataPlaneSignal()
    private let stats = RequestStats()
    private let logger: Logger
    private let state = Mutex(State())
    private static let maximumBodyBytes = 1 << 20

    private init(
        configuration: LocalCloudConfiguration, port: Int, metricsPort: Int?, handler: APIHandler,
        group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool, serverChannels: [any Channel], logger: Logger
    ) {
        if configuration.loadBalancerDataPlane {
            // Its own event loops: proxied traffic never waits behind the API, nor the API behind it.
            let dataPlaneGroup = MultiThreadedEventLoopGroup(numberOfThreads: min(2, System.coreCount))
            self.dataPlaneGroup = dataPlaneGroup
            dataPlane = LoadBalancerDataPlane(
                group: dataPlaneGroup, logger: logger, status: handler.dataPlaneStatus)
        } else {
            dataPlaneGroup = nil
            dataPlane = nil
        }
        self.configuration = configuration
        self.port = port
        self.metricsPort = metricsPort
        self.handler = handler
        self.group = group
        self.threadPool = threadPool
        self.serverChannels = serverChannels
        self.logger = logger
        limiter = RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst)
        faults = FaultInjector(spec: configuration.faults)
    }

    /// Opens the state, binds the listening socket and starts serving.
    public static func start(configuration: LocalCloudConfiguration, logger: Logger) async throws -> LocalCloudServer {
        let threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            // Opening SQLite and preparing directories block: do it on the thread pool.
            let handler = try await threadPool.runIfActive {
                try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
                let store = try Store(path: configuration.dataDirectory.appendingPathComponent("localcloud.sqlite").path)
                let devices: any BlockDevices =
                    configuration.realDevices
                    ? try LoopDevices(dataDirectory: configuration.dataDirectory, deviceDirectory: configuration.deviceDirectory)
                    : BookkeepingDevices()
                let routeApplier = try configuration.applyRoutesNamespace.map {
                    try RouteApplier(namespace: $0, device: configuration.routeDevice)
                }
                let handler = try APIHandler(
                    configuration: configuration, store: store, devices: devices, routeApplier: routeApplier, logger: logger)
                try handler.restoreDevices()
                try handler.restoreRoutes()
                return handler
            }
            let server = try await bind(group, configuration.host, configuration.port)
            var metrics: NIOAsyncChannel<Connection, Never>?
            do {
                if let address = configuration.metricsAddress {
                    metrics = try await bind(group, address.host, address.port)
                }
            } catch {
                try? await server.channel.close()
                throw error
            }
            let instance = LocalCloudServer(
                configuration: configuration, port: server.channel.localAddress?.port ?? configuration.port,
                metricsPort: metrics?.channel.localAddress?.port, handler: handler, group: group,
                threadPool: threadPool, serverChannels: [server.channel] + (metrics.map { [$0.channel] } ?? []),
                logger: logger)
            var loops = [Task { await instance.acceptLoop(server, metricsOnly: false) }]
            if let metrics {
                loops.append(Task { await instance.acceptLoop(metrics, metricsOnly: true) })
            }
            let dataPlaneLoop = instance.dataPlane.map { dataPlane in
                Task { await instance.feed(dataPlane) }
            }
            instance.state.withLock {
                $0.acceptLoops = loops
                $0.dataPlaneLoop = dataPlaneLoop
            }
            logger.info(
                "localcloud listening",
                metadata: ["address": "\(instance.baseURL)", "data_dir": "\(configuration.dataDirectory.path)",
                           "metrics_port": "\(instance.metricsPort.map(String.init) ?? "none")",
                           "real_devices": "\(configuration.realDevices)"])
            return instance
        } catch {
            try? await threadPool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func bind(
        _ group: MultiThreadedEventLoopGroup, _ host: String, _ port: Int
    ) async throws -> NIOAsyncChannel<Connection, Never> {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Waits until the server has stopped.
    public func waitUntilStopped() async {
        for loop in state.withLock({ $0.acceptLoops }) { await loop.value }
    }

    /// Stops accepting, closes open connections and releases threads. Safe to call more than
    /// once and from several tasks: every caller returns once the server is fully stopped.
    public func stop() async {
        let task = state.withLock { state in
            if let stopping = state.stopping { return stopping }
            let stopping = Task { await self.performStop() }
            state.stopping = stopping
            return stopping
        }
        await task.value
    }

    private func performStop() async {
        let (connections, loops, dataPlaneLoop) = state.withLock { state in
            state.stopped = true
            return (Array(state.connections.values), state.acceptLoops, state.dataPlaneLoop)
        }
        for channel in serverChannels { try? await channel.close() }
        for connection in connections { try? await connection.close() }
        for loop in loops { await loop.value }
        dataPlaneLoop?.cancel()
        await dataPlaneLoop?.value
        await dataPlane?.shutdown()
        try? await dataPlaneGroup?.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.info("localcloud stopped")
    }

    /// Queues faults for the next `/v2` calls, ahead of the random ones (for tests).
    public func inject(_ fault: Fault, count: Int = 1) {
        faults.enqueue(fault, count: count)
    }

    /// Replaces the random fault rates.
    public func setFaults(_ spec: FaultSpec) {
        faults.setSpec(spec)
    }

    // MARK: Load-balancer data plane

    /// How long the feed waits after a failed store read or a listener that could not open
    /// before it tries again.
    static let dataPlaneRetry = Duration.seconds(1)

    /// Feeds the data plane the active load balancers until the server stops. It wakes when an
    /// API call changed load balancers or instances (``dataPlaneChanges``), when the next pending
    /// load balancer turns active, after ``LocalCloudConfiguration/loadBalancerResync`` as a
    /// safety net, and soon again while something failed; otherwise it sleeps. Reading the store
    /// blocks, so it happens on the thread pool; the data plane itself only awaits NIO.
    private func feed(_ dataPlane: LoadBalancerDataPlane) async {
        let handler = self.handler
        var lastError = ""
        while !Task.isCancelled {
            var wait = configuration.loadBalancerResync
            do {
                let (specs, readyAt) = try await threadPool.runIfActive {
                    (try handler.balancerSpecs(), try handler.nextBalancerReadyAt())
                }
                let healthy = await dataPlane.reconcile(specs)
                lastError = ""
                if !healthy { wait = min(wait, Self.dataPlaneRetry) }
                if let readyAt {
                    let seconds = max(0, readyAt.timeIntervalSinceNow) + 0.001
                    wait = min(wait, .milliseconds(Int64((seconds * 1000).rounded(.up))))
                }
            } catch {
                if "\(error)" != lastError {
                    logger.warning("load balancer state unreadable", metadata: ["error": "\(error)"])
                    lastError = "\(error)"
                }
                wait = min(wait, Self.dataPlaneRetry)
            }
            await dataPlaneChanges.wait(timeout: wait)
        }
    }

    // MARK: Serving

    private func acceptLoop(_ server: NIOAsyncChannel<Connection, Never>, metricsOnly: Bool) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        let id = ObjectIdentifier(connection.channel)
                        let admitted = state.withLock { state in
                            if !state.stopped { state.connections[id] = connection.channel }
                            return !state.stopped
                        }
                        guard admitted else {
                            try? await connection.channel.close()
                            continue
                        }
                        group.addTask {
                            await self.serve(connection, metricsOnly: metricsOnly)
                            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
                        }
                    }
                }
            }
        } catch {
            logger.debug("accept loop ended", metadata: ["error": "\(error)"])
        }
    }

    private enum Outcome {
        case respond(APIResponse)
        case drop
    }

    private func serve(_ connection: Connection, metricsOnly: Bool) async {
        let source = connection.channel.remoteAddress?.ipAddress ?? ""
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body.clear()
                        tooLarge = false
                    case .body(var chunk):
                        if body.readableBytes + chunk.readableBytes > Self.maximumBodyBytes {
                            tooLarge = true
                        } else {
                            body.writeBuffer(&chunk)
                        }
                    case .end:
                        guard let h = head else { continue }
                        let request = APIRequest(
                            method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) },
                            body: Data(body.readableBytesView), sourceAddress: source)
                        let outcome: Outcome =
                            if tooLarge {
                                .respond(.failure(APIFailure(.payloadTooLarge, "request body larger than 1 MiB")))
                            } else if metricsOnly {
                                .respond(metricsEndpoint(request))
                            } else {
                                await respond(request)
                            }
                        guard case .respond(let response) = outcome else {
                            logger.debug("dropping response after commit (fault)", metadata: ["http.uri": "\(h.uri)"])
                            return
                        }
                        if !metricsOnly { stats.request(request, status: response.status) }
                        logger.debug(
                            "request", metadata: ["http.method": "\(h.method)", "http.uri": "\(h.uri)", "http.status": "\(response.status)"])
                        var headers = HTTPHeaders(response.headers)
                        headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
                        headers.replaceOrAdd(name: "Connection", value: h.isKeepAlive ? "keep-alive" : "close")
                        let responseHead = HTTPResponseHead(
                            version: h.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
                        try await outbound.write(.head(responseHead))
                        if !response.body.isEmpty {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                        }
                        try await outbound.write(.end(nil))
                        if !h.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.trace("connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func respond(_ request: APIRequest) async -> Outcome {
        let isAPI = request.pathComponents.first == "v2"
        if isAPI {
            let latency = faults.latencyMilliseconds
            if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
            guard limiter.admit(request.sourceAddress) else {
                return .respond(.failure(APIFailure(
                    .tooManyRequests, "rate limit exceeded",
                    headers: [("Retry-After", "\(limiter.retryAfterSeconds)")])))
            }
        }
        let fault = isAPI && handler.isAuthorized(request) ? faults.next() : nil
        if let fault { stats.fault("\(fault)".components(separatedBy: "(")[0]) }
        switch fault {
        case .error:
            return .respond(.failure(APIFailure(.internalError, "injected fault: internal error")))
        case .throttle(let seconds):
            return .respond(.failure(APIFailure(.tooManyRequests, "injected fault: rate limit exceeded",
                                                headers: [("Retry-After", "\(seconds)")])))
        case .dropAfterCommit, nil:
            let handler = self.handler
            let response: APIResponse
            do {
                response = try await threadPool.runIfActive { handler.handle(request) }
                if APIHandler.changesDataPlane(request, status: response.status) { dataPlaneChanges.notify() }
            } catch {
                response = .failure(APIFailure(.internalError, "server is shutting down"))
            }
            return fault == .dropAfterCommit ? .drop : .respond(response)
        }
    }

    private func metricsEndpoint(_ request: APIRequest) -> APIResponse {
        switch (request.method, request.pathComponents) {
        case ("GET", ["metrics"]):
            APIResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Data(stats.render().utf8))
        case ("GET", ["healthz"]):
            APIResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Data("ok\n".utf8))
        default:
            .failure(APIFailure(.notFound, "only /metrics and /healthz are served here"))
        }
    }
}
