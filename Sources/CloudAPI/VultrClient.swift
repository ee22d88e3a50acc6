import AsyncHTTPClient
import CoreMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOHTTP1

/// The Vultr API v2 backend (and the local cloud, which speaks the same dialect). Implements
/// every provider protocol; errors are ``CloudError``s.
public final class VultrClient: BlockStorage, BlockSnapshots, Instances, LoadBalancers, Routes, Sendable {
    public struct Configuration: Sendable {
        /// `https://api.vultr.com` for the real cloud, or a local cloud's URL.
        public var baseURL: String
        public var apiKey: APIKey
        /// Limit for one HTTP exchange (each attempt).
        public var requestTimeout: Duration
        public var retry: RetryPolicy
        /// Shared by every client in the process by default.
        public var rateLimiter: TokenBucket
        /// `per_page` for list calls (1...500).
        public var pageSize: Int
        /// Whether the backend has the route-table extension (the local cloud does, Vultr not).
        public var hasRoutesExtension: Bool
        /// Where metrics go; nil means the process's bootstrapped `MetricsSystem`.
        public var metricsFactory: (any MetricsFactory)?

        public init(
            baseURL: String = "https://api.vultr.com", apiKey: APIKey, requestTimeout: Duration = .seconds(30),
            retry: RetryPolicy = .default, rateLimiter: TokenBucket = .shared, pageSize: Int = 100,
            hasRoutesExtension: Bool? = nil, metricsFactory: (any MetricsFactory)? = nil
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.rateLimiter = rateLimiter
            self.pageSize = min(max(pageSize, 1), 500)
            self.hasRoutesExtension = hasRoutesExtension ?? !baseURL.contains("api.vultr.com")
            self.metricsFactory = metricsFactory
        }
    }

    public let configuration: Configuration
    let transport: HTTPTransport

    /// `httpClient` defaults to a process-wide client tuned for the transport's own retries,
    /// which needs no shutdown; pass one to share its connection pool (its owner shuts it down).
    public init(configuration: Configuration, httpClient: HTTPClient? = nil, logger: Logger) {
        self.configuration = configuration
        transport = HTTPTransport(
            baseURL: configuration.baseURL, key: configuration.apiKey, client: httpClient ?? CloudHTTPClient.shared,
            timeout: configuration.requestTimeout, retry: configuration.retry, bucket: configuration.rateLimiter,
            metrics: ClientMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory), logger: logger)
    }

    // MARK: Call shapes shared by the resource extensions

    /// `GET path` → `{"<singular>": {...}}`.
    func fetch<Item: WireResource>(_ operation: String, _ path: String, as type: Item.Type) async throws -> Item {
        let body = try await transport.send(operation, .GET, path)
        return try decode(WireSingle<Item>.self, body, "GET \(path)").item
    }

    /// `GET path` page by page until `links.next` is empty.
    func list<Item: WireResource>(_ operation: String, _ path: String, as type: Item.Type) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        var pages = 0
        repeat {
            var query = [("per_page", "\(configuration.pageSize)")]
            if let cursor { query.append(("cursor", cursor)) }
            let body = try await transport.send(operation, .GET, path, query: query)
            let page = try decode(WirePage<Item>.self, body, "GET \(path)")
            items.append(contentsOf: page.items)
            pages += 1
            guard pages < 100_000 else {
                throw CloudError(code: .invalidResponse, message: "pagination does not end", path: "GET \(path)")
            }
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }

    /// A call with an optional JSON body whose answer has a `{"<singular>": {...}}` body.
    func exchange<Item: WireResource>(
        _ operation: String, _ method: HTTPMethod, _ path: String, body: some Encodable, as type: Item.Type
    ) async throws -> Item {
        let payload = try await transport.send(operation, method, path, body: try encode(body, "\(method.rawValue) \(path)"))
        return try decode(WireSingle<Item>.self, payload, "\(method.rawValue) \(path)").item
    }

    /// `GET path` → the resource itself, with no envelope (how the VFS endpoints answer).
    func fetchBare<Item: WireResource>(_ operation: String, _ path: String, as type: Item.Type) async throws -> Item {
        let body = try await transport.send(operation, .GET, path)
        return try decode(Item.self, body, "GET \(path)")
    }

    /// A call with an optional JSON body whose answer is the resource itself, with no envelope.
    func exchangeBare<Item: WireResource>(
        _ operation: String, _ method: HTTPMethod, _ path: String, body: (some Encodable)?, as type: Item.Type
    ) async throws -> Item {
        let data = try body.map { try encode($0, "\(method.rawValue) \(path)") }
        let payload = try await transport.send(operation, method, path, body: data)
        return try decode(Item.self, payload, "\(method.rawValue) \(path)")
    }

    /// A call whose answer has no body worth reading (204).
    func perform(_ operation: String, _ method: HTTPMethod, _ path: String, body: (some Encodable)? = nil as Empty?) async throws {
        let data = try body.map { try encode($0, "\(method.rawValue) \(path)") }
        _ = try await transport.send(operation, method, path, body: data)
    }

    /// An id made safe for a path segment; an empty or odd one is invalid input, not a request.
    func segment(_ id: String, _ what: String) throws -> String {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw CloudError(code: .invalidInput, message: "invalid \(what) id '\(id)'", path: "")
        }
        return id
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer, _ requestLine: String) throws -> T {
        do {
            return try WireCoding.decoder.decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw CloudError(code: .invalidResponse, message: "cannot decode response: \(error)", path: requestLine)
        }
    }

    private func encode(_ body: some Encodable, _ requestLine: String) throws -> Data {
        do {
            return try WireCoding.encoder.encode(body)
        } catch {
            throw CloudError(code: .invalidInput, message: "cannot encode request: \(error)", path: requestLine)
        }
    }

    /// An empty body placeholder.
    struct Empty: Encodable {}
}
