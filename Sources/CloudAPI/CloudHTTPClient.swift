import AsyncHTTPClient

/// The HTTP client every ``VultrClient`` uses unless given another: one per process, never shut
/// down (like `HTTPClient.shared`), but failing fast when a connection cannot be made, because
/// the transport does its own retries with backoff; AsyncHTTPClient's default would keep
/// reconnecting until the request's whole deadline has passed.
enum CloudHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.idleTimeout = .seconds(30)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
