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
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let acceptTask: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let controls = Mutex(Controls())
    private let logger: Logger

    private struct Controls {
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

    // MARK: Steering

    /// Queue a canned failure for the next matching request(s).
    public func inject(_ failure: InjectedFailure) {
        controls.withLock { $0.failures.append(failure) }
    }

    /// Withdraw every injected failure not yet used.
    public func clearInjectedFailures() {
        controls.withLock { $0.failures.removeAll() }
    }

    /// Close every open watch connection without finishing the response.
    public func dropWatches() { store.endWatches(with: .drop) }

    /// Finish every open watch response cleanly, as a server-side timeout does.
    public func endWatches() { store.endWatches(with: .end) }

    /// Forget history: watches and continue tokens from before now get 410 Gone.
    public func compact() { store.compact() }

    /// Send a BOOKMARK now on every open watch.
    public func sendBookmarks() { store.bookmark() }

    /// Send bookmarks on every watch this often (off by default).
    public func setBookmarkInterval(_ interval: Duration?) { controls.withLock { $0.bookmarkInterval = interval } }

    /// Answer 401 unless requests carry `Authorization: Bearer <token>`.
    public func setRequiredToken(_ token: String?) { controls.withLock { $0.requiredToken = token } }

    /// Every request received so far.
    public var requests: [RecordedRequest] { controls.withLock { $0.requests } }

    public func clearRequests() { controls.withLock { $0.requests.removeAll() } }

    /// Open watch connections.
    public var openWatches: Int { store.watchCount }

    /// The current global resourceVersion.
    public var resourceVersion: Int { store.state.withLock { $0.resourceVersion } }

    /// The stored object at `path` (e.g. `/api/v1/nodes/a`), bypassing HTTP.
    public func object(at path: String) -> JSONObject? {
        guard let parsed = APIPath(path) else { return nil }
        let response = store.get(parsed)
        return response.status == 200 ? response.body.objectValue : nil
    }

    /// Stores objects directly (as if created), bypassing HTTP and faults. `path` is the collection.
    @discardableResult
    public func seed(_ objects: [JSONObject], into path: String) -> [JSONObject] {
        objects.map { object in
            var collectionPath = path
            if let namespace = object["metadata"]?["namespace"]?.stringValue, !path.contains("/namespaces/") {
                let resource = path.split(separator: "/").last.map(String.init) ?? ""
                collectionPath = String(path.dropLast(resource.count)) + "namespaces/\(namespace)/\(resource)"
            }
            return store.create(APIPath(collectionPath)!, body: object).body.objectValue ?? [:]
        }
    }

    // MARK: Serving

    private func acceptConnections() async {
        do {
            try await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } catch {
            logger.debug("test apiserver stopped accepting", metadata: ["error": "\(error)"])
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let requestHead = head else { continue }
                        let keepOpen = try await respond(to: requestHead, body: Data(body.readableBytesView), outbound)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            logger.trace("test apiserver connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Writes the answer; `false` when the connection must be closed (a dropped watch).
    private func respond(
        to head: HTTPRequestHead, body: Data, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        switch route(head, body: body) {
        case .response(let response):
            var data: Data
            var headers = HTTPHeaders()
            if let text = response.text {
                data = Data(text.utf8)
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            } else {
                data = (try? JSONCoding.encode(response.body)) ?? Data()
                data.append(UInt8(ascii: "\n"))
                headers.add(name: "Content-Type", value: "application/json")
            }
            headers.add(name: "Content-Length", value: String(data.count))
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            try await outbound.write(
                .head(HTTPResponseHead(version: head.version, status: .init(statusCode: response.status), headers: headers)))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
            try await outbound.write(.end(nil))
            return true
        case .watch(let subscription):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers)))
            let bookmarkInterval = controls.withLock { $0.bookmarkInterval }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                if subscription.bookmarks, let bookmarkInterval {
                    group.addTask {
                        while true {
                            try await Task.sleep(for: bookmarkInterval)
                            self.store.bookmark(subscription.id)
                        }
                    }
                }
                if let timeout = subscription.timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        self.store.endWatches(subscription.id, with: .end)
                    }
                }
                defer { group.cancelAll() }
                for await message in subscription.messages {
                    switch message {
                    case .frame(let frame):
                        var data = try JSONCoding.encode(frame)
                        data.append(UInt8(ascii: "\n"))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data))))
                    case .end:
                        try await outbound.write(.end(nil))
                        return true
                    case .drop:
                        return false
                    }
                }
                return false
            }
        }
    }

    private func route(_ head: HTTPRequestHead, body: Data) -> APIResult {
        let (path, query) = Self.split(head.uri)
        let method = head.method.rawValue
        let authorization = head.headers.first(name: "Authorization")
        let contentType = head.headers.first(name: "Content-Type")
        let injected: InjectedFailure? = controls.withLock { controls in
            controls.requests.append(
                RecordedRequest(
                    method: method, path: path, query: query, authorization: authorization, contentType: contentType))
            if let token = controls.requiredToken, authorization != "Bearer \(token)" {
                return InjectedFailure(status: 401, reason: "Unauthorized")
            }
            let isWatch = query["watch"] == "true" || query["watch"] == "1"
            guard
                let index = controls.failures.firstIndex(where: {
                    $0.matches(method: method, path: path, isWatch: isWatch)
                })
            else {
                return nil
            }
            let failure = controls.failures[index]
            controls.failures[index].count -= 1
            if controls.failures[index].count <= 0 { controls.failures.remove(at: index) }
            return failure
        }
        if let injected {
            return .response(
                .failure(
                    injected.status, reason: injected.reason, message: "injected failure",
                    retryAfterSeconds: injected.retryAfterSeconds))
        }
        if head.method == .GET, let answer = Discovery.answer(path: path) {
            return .response(answer)
        }
        guard let apiPath = APIPath(path) else {
            return .response(.failure(404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        // JSON only: typed clients that prefer protobuf (kubectl's `create` generators) are told so,
        // as kube-apiserver tells a client whose media type it does not serve.
        if [.POST, .PUT, .PATCH].contains(head.method), let contentType,
            contentType.contains("protobuf") || contentType.contains("cbor")
        {
            return .response(
                .failure(
                    415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: "
                        + "application/json, application/merge-patch+json, application/strategic-merge-patch+json"))
        }
        func bodyObject() -> JSONObject? {
            body.isEmpty ? [:] : try? JSONCoding.decodeObject(body)
        }
        switch (head.method, apiPath.name) {
        case (.GET, nil):
            if query["watch"] == "true" || query["watch"] == "1" { return store.watch(apiPath, query: query) }
            return .response(store.list(apiPath, query: query))
        case (.GET, .some):
            return .response(store.get(apiPath))
        case (.POST, nil):
            guard let object = bodyObject() else { return .response(Self.malformed) }
            return .response(store.create(apiPath, body: object))
        case (.PUT, .some):
            guard let object = bodyObject() else { return .response(Self.malformed) }
            return .response(store.update(apiPath, body: object))
        case (.PATCH, .some):
            guard let patch = try? JSONCoding.decode(body) else { return .response(Self.malformed) }
            return .response(store.patch(apiPath, contentType: contentType ?? "", patch: patch))
        case (.DELETE, .some):
            return .response(store.delete(apiPath, options: bodyObject() ?? [:]))
        default:
            return .response(.failure(405, reason: "MethodNotAllowed", message: "method not allowed"))
        }
    }

    private static let malformed = APIResponse.failure(400, reason: "BadRequest", message: "malformed JSON body")

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }
}
