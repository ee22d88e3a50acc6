import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import RateLimiting
import Telemetry

/// A client for one Kubernetes API server: typed verbs on `KubernetesResource` types, watches,
/// a client-side QPS/burst limit, automatic retry of 429 (and of 5xx with `Retry-After`) after
/// the delay the server asks for, and errors typed by HTTP status.
///
/// Call `shutdown()` when done; the client owns its HTTP connection pool.
public final class KubernetesClient: Sendable {
    public let configuration: ClientConfiguration
    public let rateLimiter: TokenBucket
    let httpClient: HTTPClient
    let tokenSource: BearerTokenSource?
    let logger: Logger
    /// `kubernetes_client_requests_total{verb,code}` and
    /// `kubernetes_client_request_duration_seconds{verb}`, handles made once per verb and code.
    let requestMetrics = CallMetrics(
        total: "kubernetes_client_requests_total", duration: "kubernetes_client_request_duration_seconds",
        key: "verb", outcome: "code")

    /// Bodies larger than this are refused rather than buffered.
    static let maximumBodySize = 256 * 1024 * 1024

    public init(configuration: ClientConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.rateLimiter = TokenBucket(rate: configuration.qps, burst: Double(configuration.burst))
        self.tokenSource = BearerTokenSource(configuration.credentials)
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: try Self.tlsConfiguration(for: configuration),
            timeout: .init(connect: .seconds(10)))
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    /// Closes every connection; pending requests fail.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// The raw answer to one request.
    struct RawResponse {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// Sends one request and returns its 2xx answer, or throws the typed error for anything else.
    /// Waits for the rate limiter before each attempt and retries 429 after `Retry-After`.
    func send(
        _ method: HTTPMethod, path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        contentType: String = "application/json"
    ) async throws -> RawResponse {
        let bodyData = try body.map { try JSONCoding.encode($0) }
        var attempt = 0
        var retriedUnauthorized = false
        while true {
            try await rateLimiter.acquire()
            let request = makeRequest(method, path: path, query: query, body: bodyData, contentType: contentType)
            let started = ContinuousClock.now
            let response: HTTPClientResponse
            let data: Data
            do {
                response = try await httpClient.execute(
                    request, timeout: TimeAmount(configuration.requestTimeout), logger: logger)
                data = Data(try await response.body.collect(upTo: Self.maximumBodySize).readableBytesView)
            } catch {
                requestMetrics.observe(method.rawValue, outcome: "<error>", duration: ContinuousClock.now - started)
                throw KubernetesError(code: .transport, message: "\(method) \(path): \(error)", underlying: error)
            }
            let status = Int(response.status.code)
            requestMetrics.observe(method.rawValue, outcome: String(status), duration: ContinuousClock.now - started)
            logger.trace("kubernetes request", metadata: ["http.method": "\(method)", "http.path": "\(path)", "http.status": "\(status)"])
            if (200..<300).contains(status) {
                return RawResponse(status: status, headers: response.headers, body: data)
            }
            let error = Self.error(status: status, headers: response.headers, body: data, context: "\(method) \(path)")
            // 429, and 5xx answers that carry Retry-After (an overloaded or restarting server), are
            // retried after the delay the server asked for.
            let retriable = error.code == .tooManyRequests || (status >= 500 && error.retryAfter != nil)
            if retriable, attempt < configuration.maxRetriesOnTooManyRequests {
                attempt += 1
                let wait = min(error.retryAfter ?? .seconds(1), .seconds(60))
                logger.debug(
                    "kubernetes API asked us to back off", metadata: ["http.path": "\(path)", "retry.after": "\(wait)"])
                try await Task.sleep(for: wait)
                continue
            }
            if error.code == .unauthorized, let tokenSource, tokenSource.isFile, !retriedUnauthorized {
                retriedUnauthorized = true
                tokenSource.invalidate()
                continue
            }
            throw error
        }
    }

    func makeRequest(
        _ method: HTTPMethod, path: String, query: [(String, String)], body: Data?, contentType: String
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path: path, query: query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        switch configuration.credentials {
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(encoded)")
        default:
            if let token = tokenSource?.token() {
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    func url(path: String, query: [(String, String)]) -> String {
        var base = configuration.server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.escapeQuery($0.0))=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
        }
        return url
    }

    private static let queryAllowed = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escapeQuery(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? text
    }

    /// The typed error for a non-2xx answer.
    static func error(status: Int, headers: HTTPHeaders, body: Data, context: String) -> KubernetesError {
        let apiStatus = (try? JSONCoding.decodeObject(body)).map(APIStatus.init(json:))
        var retryAfter: Duration?
        if let header = headers.first(name: "Retry-After"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)) {
            retryAfter = .seconds(seconds)
        } else if let seconds = apiStatus?.retryAfterSeconds {
            retryAfter = .seconds(seconds)
        }
        let message = apiStatus?.message ?? String(decoding: body.prefix(512), as: UTF8.self)
        return KubernetesError(
            code: KubernetesError.code(forHTTPStatus: status, reason: apiStatus?.reason), httpStatus: status,
            message: "\(context): \(message)", retryAfter: retryAfter, status: apiStatus)
    }
}
