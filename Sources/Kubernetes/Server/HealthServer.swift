import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves `/healthz` (every `HealthzCheck`; 200 `ok` or 500 naming what failed) and `/metrics`
/// (Prometheus text from a `PrometheusMetrics`) over plain HTTP/1.1. Bind first, then run it as a
/// `Service`.
public final class HealthServer: ServiceLifecycle.Service, Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    public let checks: [HealthzCheck]
    public let metrics: PrometheusMetrics?
    private let channel: NIOAsyncChannel<Connection, Never>
    private let logger: Logger

    /// The bound port (useful with port 0).
    public var port: Int { channel.channel.localAddress?.port ?? 0 }

    /// Binds `host:port` (e.g. the `--metrics-address`); port 0 picks a free one.
    public static func bind(
        host: String, port: Int, checks: [HealthzCheck] = [], metrics: PrometheusMetrics? = nil, logger: Logger
    ) async throws -> HealthServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        return HealthServer(channel: channel, checks: checks, metrics: metrics, logger: logger)
    }

    private init(channel: NIOAsyncChannel<Connection, Never>, checks: [HealthzCheck], metrics: PrometheusMetrics?, logger: Logger) {
        self.channel = channel
        self.checks = checks
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        logger.info("serving /healthz and /metrics", metadata: ["port": "\(port)"])
        let channel = self.channel
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                do {
                    try await channel.executeThenClose { inbound in
                        try await withThrowingDiscardingTaskGroup { group in
                            for try await connection in inbound {
                                group.addTask { await self.serve(connection) }
                            }
                        }
                    }
                } catch {
                    self.logger.debug("health server stopped", metadata: ["error": "\(error)"])
                }
            } onCancel: {
                channel.channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }

    /// The status and body for `path`.
    func answer(_ path: String) -> (HTTPResponseStatus, String, String) {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch route {
        case "/healthz", "/livez", "/readyz":
            let failures = checks.compactMap { check in check.check().map { "[-]\(check.name) failed: \($0)" } }
            if failures.isEmpty { return (.ok, "text/plain; charset=utf-8", "ok") }
            return (.internalServerError, "text/plain; charset=utf-8", failures.joined(separator: "\n") + "\nhealthz check failed\n")
        case "/metrics":
            guard let metrics else { return (.notFound, "text/plain; charset=utf-8", "no metrics registry\n") }
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render())
        default:
            return (.notFound, "text/plain; charset=utf-8", "not found\n")
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await part in inbound {
                    guard case .head(let head) = part else { continue }
                    let (status, contentType, body) = answer(head.uri)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: contentType)
                    headers.add(name: "Content-Length", value: String(body.utf8.count))
                    try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
                    try await outbound.write(.end(nil))
                }
            }
        } catch {
            logger.trace("health connection ended", metadata: ["error": "\(error)"])
        }
    }
}
