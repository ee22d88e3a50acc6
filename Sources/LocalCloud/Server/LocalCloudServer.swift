import Foundation
import Logging
import MetricsHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import RateLimiting
import Synchronization

/// The local cloud's HTTP server: the Vultr v2 dialect under `/v2`, the metadata document at
/// `/v1.json`, state in SQLite under the data directory. Start it with
/// ``start(configuration:logger:)``, stop it with ``stop()``; it can run in-process in tests.
/// This file binds and serves connections; what a call goes through before the handler is in
/// `+Routing`, stopping in `+Lifecycle`, fault injection in `+Faults`, the data-plane feed in
/// `+DataPlaneFeed`.
public final class LocalCloudServer: Sendable {
    public let configuration: LocalCloudConfiguration
    /// The port actually bound (useful when the configuration asked for port 0).
    public let port: Int
    /// Where clients reach it, e.g. `http://127.0.0.1:41234`.
    public var baseURL: String { "http://\(ListenAddress(host: configuration.host, port: port))" }
    /// The port of the `/metrics` listener, when there is one.
    public let metricsPort: Int?

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var acceptLoops: [Task<Void, Never>] = []
        var stopped = false
        var stopping: Task<Void, Never>?
        var dataPlaneLoop: Task<Void, Never>?
    }

    let handler: APIHandler
    let limiter: KeyedTokenBuckets<String>
    let faults: FaultInjector
    let group: MultiThreadedEventLoopGroup
    let threadPool: NIOThreadPool
    let serverChannels: [any Channel]
    let dataPlane: LoadBalancerDataPlane?
    let dataPlaneGroup: MultiThreadedEventLoopGroup?
    let dataPlaneChanges = DataPlaneSignal()
    let stats: RequestStats
    /// The `--metrics-address` listener (`MetricsHTTP`), when there is one.
    let metricsServer: MetricsServer?
    let logger: Logger
    let state = Mutex(State())
    private static let maximumBodyBytes = 1 << 20

    private init(
        configuration: LocalCloudConfiguration, port: Int, metrics: (server: MetricsServer?, stats: RequestStats),
        handler: APIHandler, group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool,
        serverChannels: [any Channel], logger: Logger
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
        metricsServer = metrics.server
        metricsPort = metrics.server?.port
        stats = metrics.stats
        self.handler = handler
        self.group = group
        self.threadPool = threadPool
        self.serverChannels = serverChannels
        self.logger = logger
        limiter = KeyedTokenBuckets(rate: configuration.rateLimit, burst: configuration.rateBurst)
        faults = FaultInjector(spec: configuration.faults)
    }

    /// Opens the state, binds the listening socket and starts serving. Its request and fault
    /// counts go into `registry` (the process's, in `localcloud`; a fresh one by default), served
    /// on ``LocalCloudConfiguration/metricsAddress`` when that is set.
    public static func start(
        configuration: LocalCloudConfiguration, logger: Logger,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws -> LocalCloudServer {
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
            var metrics: MetricsServer?
            do {
                if let address = configuration.metricsAddress {
                    metrics = try await MetricsServer.bind(address, registry: registry, logger: logger)
                }
            } catch {
                try? await server.channel.close()
                throw error
            }
            let instance = LocalCloudServer(
                configuration: configuration, port: server.channel.localAddress?.port ?? configuration.port,
                metrics: (metrics, RequestStats(registry: registry)), handler: handler, group: group,
                threadPool: threadPool, serverChannels: [server.channel], logger: logger)
            var loops = [Task { await instance.acceptLoop(server) }]
            if let metrics {
                loops.append(Task { try? await metrics.run() })
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

    // MARK: Serving

    private func acceptLoop(_ server: NIOAsyncChannel<Connection, Never>) async {
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
                            await self.serve(connection)
                            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
                        }
                    }
                }
            }
        } catch {
            logger.debug("accept loop ended", metadata: ["error": "\(error)"])
        }
    }

    private func serve(_ connection: Connection) async {
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
                            } else {
                                await respond(request)
                            }
                        guard case .respond(let response) = outcome else {
                            logger.debug("dropping response after commit (fault)", metadata: ["http.uri": "\(h.uri)"])
                            return
                        }
                        stats.request(request, status: response.status)
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
}
