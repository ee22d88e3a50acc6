import NIOSSL

/// TLS toward backends (`https` backend rules and health checks). Backend certificates are NOT
/// verified: targets are the cloud's own instances addressed by IP, as on most cloud load
/// balancers.
enum BackendTLS {
    static let context: NIOSSLContext? = {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try? NIOSSLContext(configuration: configuration)
    }()
}
