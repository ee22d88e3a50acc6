import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The `--metrics-address` listener of every long-running executable, as a `Service`:
/// `/metrics` answers the process's Prometheus registry in the text format (0.0.4); `/healthz`
/// (and its aliases `/livez`, `/readyz`) runs the injected checks and answers 200 `ok` or 500
/// naming what failed. GET and HEAD are served; another method on those paths is 405, any other
/// path 404. Bind it first (so a bad address fails at start), then run it; a graceful shutdown,
/// cancellation or ``close()`` stops it, open connections included. It runs on an event-loop
/// thread of its own, off Swift's cooperative pool.
public final class MetricsServer: Service, Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// The address bound (its port resolved when port 0 was asked for).
    public let address: ListenAddress
    public var port: Int { address.port }
    public let checks: [HealthzCheck]
    private let registry: PrometheusCollectorRegistry
    private let channel: NIOAsyncChannel<Connection, Never>
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger

    private init(
        address: ListenAddress, registry: PrometheusCollectorRegistry, checks: [HealthzCheck],
        channel: NIOAsyncChannel<Connection, Never>, group: MultiThreadedEventLoopGroup, logger: Logger
    ) {
        self.address = address
        self.registry = registry
        self.checks = checks
        self.channel = channel
        self.group = group
        self.logger = logger
    }

    /// Binds `address` (port 0 picks a free one).
    public static func bind(
        _ address: ListenAddress, registry: PrometheusCollectorRegistry, checks: [HealthzCheck] = [], logger: Logger
    ) async throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
            let bound = ListenAddress(host: address.host, port: channel.channel.localAddress?.port ?? address.port)
            return MetricsServer(
                address: bound, registry: registry, checks: checks, channel: channel, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Serves until a graceful shutdown, cancellation or ``close()``.
    public func run() async throws {
        let channel = self.channel
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                do {
                    try await withThrowingDiscardingTaskGroup { connections in
                        try await channel.executeThenClose { inbound in
                            for try await connection in inbound {
                                connections.addTask { await self.serve(connection) }
                            }
                        }
                        // The listener is closed: end the open (keep-alive) connections too.
                        connections.cancelAll()
                    }
                } catch {
                    logger.debug("metrics server stopped", metadata: ["error": "\(error)"])
                }
            } onCancel: {
                self.close()
            }
        } onGracefulShutdown: {
            self.close()
        }
        try? await group.shutdownGracefully()
    }

    /// Stops accepting; ``run()`` then ends the open connections and returns.
    public func close() {
        channel.channel.close(promise: nil)
    }

    /// What the server answers to `method` on `uri`: status, content type, body.
    func answer(method: HTTPMethod, uri: String) -> (status: HTTPResponseStatus, contentType: String, body: [UInt8]) {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        let text = "text/plain; charset=utf-8"
        switch path {
        case "/metrics", "/healthz", "/livez", "/readyz":
            guard method == .GET || method == .HEAD else {
                return (.methodNotAllowed, text, Array("method not allowed: use GET or HEAD\n".utf8))
            }
            if path == "/metrics" {
                return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
            }
            let failures = checks.compactMap { check in check.check().map { "[-]\(check.name) failed: \($0)" } }
            if failures.isEmpty { return (.ok, text, Array("ok\n".utf8)) }
            return (.internalServerError, text, Array((failures.joined(separator: "\n") + "\nhealthz check failed\n").utf8))
        default:
            return (.notFound, text, Array("not found: only /metrics and /healthz are served here\n".utf8))
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let request): head = request
                    case .body: continue
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let (status, contentType, body) = answer(method: request.method, uri: request.uri)
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: contentType)
                        headers.add(name: "Content-Length", value: String(body.count))
                        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
                        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                        try await outbound.write(
                            .head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
                        if request.method != .HEAD {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                        }
                        try await outbound.write(.end(nil))
                        if !request.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.trace("metrics connection ended", metadata: ["error": "\(error)"])
        }
    }
}
