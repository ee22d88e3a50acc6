import CGRPC

/// Process-wide gRPC core initialisation. `grpc_init` is reference counted and cheap after the
/// first call; Mooring's processes keep the library up for their whole life, so there is no
/// matching `grpc_shutdown`.
enum GRPCCore {
    private static let initialised: Bool = {
        grpc_init()
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }

    /// The core library's version string (the ABI version, e.g. "29.0.0" for gRPC 1.51).
    static var version: String {
        ensureInitialised()
        return String(cString: grpc_version_string())
    }
}
