import NIOCore
import NIOHTTP1
import NIOPosix
import Telemetry

/// The `--metrics-address` listener of a long-running executable: `GET /metrics` answers the
/// registry in the Prometheus text format, `GET /healthz` answers `ok`; anything else is 404.
/// It runs on its own event-loop thread, off Swift's cooperative pool.
public final class MetricsServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(port: Int, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.channel = channel
        self.group = group
    }

    /// Binds `host:port` (port 0 picks a free one) and starts answering.
    public static func start(host: String, port: Int, registry: PrometheusRegistry) async throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 16)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(Handler(registry: registry))
                    }
                }
                .bind(host: host, port: port).get()
            return MetricsServer(port: channel.localAddress?.port ?? port, channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Splits `HOST:PORT` (IPv6 hosts in brackets); nil when malformed.
    public static func parse(address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65_535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let registry: PrometheusRegistry
        private var head: HTTPRequestHead?

        init(registry: PrometheusRegistry) { self.registry = registry }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request): head = request
            case .body: break
            case .end:
                guard let request = head else { return }
                head = nil
                let (status, body, type): (HTTPResponseStatus, String, String) =
                    switch (request.method, request.uri.split(separator: "?").first.map(String.init) ?? "") {
                    case (.GET, "/metrics"): (.ok, registry.render(), "text/plain; version=0.0.4; charset=utf-8")
                    case (.GET, "/healthz"): (.ok, "ok\n", "text/plain")
                    default: (.notFound, "not found\n", "text/plain")
                    }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: type)
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                              promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
                let keepAlive = request.isKeepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}
