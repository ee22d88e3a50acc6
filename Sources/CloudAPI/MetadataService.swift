import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Reads the instance metadata document, on an instance (`http://169.254.169.254/v1.json`) or
/// from a local cloud (`<base>/v1.json?instance_id=<id>`). No API key is involved. Connection
/// failures and 5xx are retried (the service can be slow to come up at boot).
public struct MetadataService: Sendable {
    public static let defaultURL = "http://169.254.169.254/v1.json"

    public var url: String
    public var timeout: Duration
    public var retry: RetryPolicy
    private let client: HTTPClient

    public init(
        url: String = MetadataService.defaultURL, timeout: Duration = .seconds(5), retry: RetryPolicy = .default,
        httpClient: HTTPClient? = nil
    ) {
        self.url = url
        self.timeout = timeout
        self.retry = retry
        client = httpClient ?? CloudHTTPClient.shared
    }

    public func fetch() async throws -> InstanceMetadata {
        let requestLine = "GET \(URL(string: url)?.path ?? url)"
        var attempt = 0
        while true {
            attempt += 1
            let failure: CloudError
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: url), timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
                let body = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    guard let wire = try? JSONDecoder().decode(MetadataWire.self, from: Data(body.readableBytesView)),
                        let metadata = wire.metadata
                    else {
                        throw CloudError(
                            code: .invalidResponse, status: status,
                            message: "metadata document names no instance id and region", path: requestLine)
                    }
                    return metadata
                }
                let error = CloudError(
                    code: CloudError.code(forStatus: status), status: status,
                    message: "metadata service answered \(status)", path: requestLine)
                guard CloudError.isRetryable(status: status) else { throw error }
                failure = error
            } catch let error as CloudError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = CloudError(code: .transport, message: "metadata service unreachable: \(error)", path: requestLine)
            }
            guard attempt < retry.maxAttempts else { throw failure }
            try await Task.sleep(for: retry.delay(afterAttempt: attempt))
        }
    }
}
