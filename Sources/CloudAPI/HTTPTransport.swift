import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc  // errno codes (Foundation re-exported them)
#endif
import Logging
import NIOCore
import NIOHTTP1

/// Sends one API call: waits for the token bucket, adds the bearer key, applies the timeout,
/// classifies the answer and retries 429s, 5xx (not 501) and connection failures with backoff,
/// honouring `Retry-After`. Records metrics for every exchange. Logs never carry headers.
///
/// A POST (a create, attach or detach) whose connection failed after it may have reached the
/// server is not retried: repeating it could make a second volume nobody knows about. The error
/// says the outcome is unknown, and the caller reconciles (look the resource up by label).
final class HTTPTransport: Sendable {
    let baseURL: String
    private let key: APIKey
    private let client: HTTPClient
    private let timeout: Duration
    private let retry: RetryPolicy
    private let bucket: TokenBucket
    private let metrics: ClientMetrics
    private let logger: Logger
    private static let maximumBodyBytes = 16 << 20

    init(
        baseURL: String, key: APIKey, client: HTTPClient, timeout: Duration, retry: RetryPolicy, bucket: TokenBucket,
        metrics: ClientMetrics, logger: Logger
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.key = key
        self.client = client
        self.timeout = timeout
        self.retry = retry
        self.bucket = bucket
        self.metrics = metrics
        self.logger = logger
    }

    /// Performs the call and returns the body of its 2xx answer.
    func send(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil
    ) async throws -> ByteBuffer {
        let idempotent = method != .POST
        let requestLine = "\(method.rawValue) \(path)"
        var request = HTTPClientRequest(url: baseURL + path + Self.encode(query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key.secret)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "mooring-cloudapi")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            if try await bucket.acquire() > .zero {
                metrics.throttle(operation, source: "client")
            }
            let started = ContinuousClock.now
            let failure: CloudError
            var retryAfter: Duration?
            do {
                let response = try await client.execute(
                    request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
                let payload = try await response.body.collect(upTo: Self.maximumBodyBytes)
                let status = Int(response.status.code)
                metrics.request(operation, status: "\(status)", duration: started.duration(to: .now))
                logger.debug(
                    "cloud API call",
                    metadata: ["cloud.operation": "\(operation)", "http.request": "\(requestLine)",
                               "http.status": "\(status)", "cloud.attempt": "\(attempt)"])
                if (200..<300).contains(status) { return payload }
                let error = CloudError(
                    code: CloudError.code(forStatus: status), status: status,
                    message: Self.apiMessage(payload) ?? response.status.reasonPhrase, path: requestLine)
                if status == 429 { metrics.throttle(operation, source: "server") }
                guard CloudError.isRetryable(status: status) else { throw error }
                retryAfter = Self.retryAfter(response.headers.first(name: "Retry-After"))
                failure = error
            } catch let error as CloudError {
                throw error
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                metrics.request(operation, status: "error", duration: started.duration(to: .now))
                let transport = Self.transportError(error, requestLine: requestLine)
                if !idempotent && !Self.neverSent(error) {
                    throw CloudError(
                        code: transport.code,
                        message: "\(transport.message); the request may have been carried out: outcome unknown, not retried",
                        path: requestLine)
                }
                failure = transport
            }
            guard attempt < retry.maxAttempts else {
                logger.debug(
                    "cloud API call failed, giving up",
                    metadata: ["cloud.operation": "\(operation)", "http.request": "\(requestLine)",
                               "cloud.attempts": "\(attempt)", "error": "\(failure)"])
                throw failure
            }
            let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
            metrics.retry(operation)
            logger.debug(
                "cloud API call failed, retrying",
                metadata: ["cloud.operation": "\(operation)", "http.request": "\(requestLine)",
                           "cloud.attempt": "\(attempt)", "cloud.retry_in_ms": "\(Int(delay.seconds * 1000))",
                           "error": "\(failure)"])
            try await Task.sleep(for: delay)
        }
    }

    private static func transportError(_ error: any Error, requestLine: String) -> CloudError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout
        {
            return CloudError(code: .timeout, message: "request timed out (\(error))", path: requestLine)
        }
        if error is NIOTooManyBytesError {
            return CloudError(code: .invalidResponse, message: "response body too large", path: requestLine)
        }
        return CloudError(code: .transport, message: "connection failed: \(error)", path: requestLine)
    }

    /// True when the request certainly never reached the server: the connection was never made.
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        if let error = error as? HTTPClientError { return error == .connectTimeout }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    /// The `error` field of an error body, if there is one.
    static func apiMessage(_ body: ByteBuffer) -> String? {
        struct ErrorBody: Decodable {
            var error: String?
        }
        guard let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView)),
            let message = decoded.error, !message.isEmpty
        else { return nil }
        return message
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value = value.map(trimmingWhitespace), !value.isEmpty else { return nil }
        if let seconds = Double(value) {
            // A server may say anything ("inf", "1e300", "-5"): clamp before converting, or the
            // conversion traps. RetryPolicy applies the real ceiling (maxRetryAfter).
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return .milliseconds(Int64(min(seconds, 86_400) * 1000))
        }
        guard let date = InternetDate.httpDate(value) else { return nil }
        let now = Date().timeIntervalSince1970
        return .milliseconds(Int64(max(0, min(Double(date) - now, 86_400)) * 1000))
    }

    private static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { key, value in "\(key)=\(percentEncoded(value))" }.joined(separator: "&")
    }

    /// A query value with every byte but RFC 3986's unreserved characters (ASCII letters and
    /// digits, `-._~`) percent-encoded.
    static func percentEncoded(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
