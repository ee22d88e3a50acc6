import Foundation
import Kubernetes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An in-process stand-in for kube-apiserver on a loopback port, speaking its HTTP/1.1 wire
/// protocol for any resource path: resourceVersion semantics with 409 on stale writes, list
/// pagination with continue tokens, watches as chunked JSON lines with bookmarks, the `status`
/// subresource, JSON merge and strategic merge patches, finalizers on delete.
///
/// Tests steer it: `dropWatches()`, `compact()` (forces 410 Gone on old versions), `inject(_:)`
/// (canned errors such as 429 with Retry-After), `requests` (what arrived), `requiredToken`.
public final class TestAPIServer: Sendable {
    public let port: Int
    /// `http`, or `https` when started with TLS.
    public let scheme: String
    let store = APIStore()
    let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    let acceptTask: Mutex<Task<Void, Never>?> = Mutex(nil)
    let controls = Mutex(Controls())
    let logger: Logger

    struct Controls {
        var failures: [InjectedFailure] = []
        var requests: [RecordedRequest] = []
        var requiredToken: String?
        var bookmarkInterval: Duration?
    }

    /// Starts listening on 127.0.0.1 with `port` (0: an ephemeral one); over TLS when `tls` is
    /// given (as kube-apiserver serves, e.g. requiring client certificates).
    public static func start(
        tls: TLSConfiguration? = nil, port: Int = 0, logger: Logger = Logger(label: "test-apiserver")
    ) async throws -> TestAPIServer {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let server = TestAPIServer(channel: channel, scheme: tls == nil ? "http" : "https", logger: logger)
        server.acceptTask.withLock { $0 = Task { await server.acceptConnections() } }
        return server
    }

    private init(
        channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>, scheme: String,
        logger: Logger
    ) {
        self.serverChannel = channel
        self.scheme = scheme
        self.port = channel.channel.localAddress?.port ?? 0
        self.logger = logger
    }

    /// `http(s)://127.0.0.1:PORT`.
    public var url: URL { URL(string: "\(scheme)://127.0.0.1:\(port)")! }

    /// A client configuration pointing here, with no rate limit unless given.
    public func clientConfiguration(qps: Double = 0, burst: Int = 1, token: String? = nil) -> ClientConfiguration {
        ClientConfiguration(
            server: url, credentials: token.map { .bearerToken($0) } ?? .none, qps: qps, burst: burst,
            requestTimeout: .seconds(10))
    }

    /// Stops accepting, ends every watch and closes the listening socket.
    public func shutdown() async {
        store.endWatches(with: .drop)
        try? await serverChannel.channel.close()
        let task = acceptTask.withLock { $0 }
        task?.cancel()
        await task?.value
    }
}
