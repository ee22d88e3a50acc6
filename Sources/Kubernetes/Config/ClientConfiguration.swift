import Foundation

/// Everything needed to reach one API server: its URL, how to trust it and who we are.
public struct ClientConfiguration: Sendable {
    /// `https://host:port` (or `http://` for a loopback test server).
    public var server: URL
    /// PEM bytes of the CA bundle that signs the server certificate; `nil` uses the system roots.
    public var certificateAuthority: Data?
    /// PEM client certificate chain and key for mutual TLS.
    public var clientCertificate: Data?
    public var clientKey: Data?
    /// Skip server certificate verification. Only set when the kubeconfig asks for it.
    public var insecureSkipTLSVerify: Bool
    /// How requests authenticate, besides a client certificate.
    public var credentials: Credentials
    /// The namespace the context (or service account) names; `default` otherwise.
    public var namespace: String
    /// Client-side rate limit: sustained requests per second and burst.
    public var qps: Double
    public var burst: Int
    /// Per-request timeout (watches are exempt: they run until the server ends them).
    public var requestTimeout: Duration
    /// How many times a 429 answer (or a 5xx with `Retry-After`) is retried after the delay it
    /// asks for before being thrown.
    public var maxRetriesOnTooManyRequests: Int
    public var userAgent: String

    public enum Credentials: Sendable {
        case none
        case bearerToken(String)
        /// A token re-read from this file when it changes (service-account token rotation).
        case bearerTokenFile(String)
        case basic(username: String, password: String)
    }

    public init(
        server: URL, certificateAuthority: Data? = nil, clientCertificate: Data? = nil, clientKey: Data? = nil,
        insecureSkipTLSVerify: Bool = false, credentials: Credentials = .none, namespace: String = "default",
        qps: Double = 20, burst: Int = 30, requestTimeout: Duration = .seconds(30),
        maxRetriesOnTooManyRequests: Int = 3, userAgent: String = "mooring"
    ) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.credentials = credentials
        self.namespace = namespace
        self.qps = qps
        self.burst = burst
        self.requestTimeout = requestTimeout
        self.maxRetriesOnTooManyRequests = maxRetriesOnTooManyRequests
        self.userAgent = userAgent
    }
}
