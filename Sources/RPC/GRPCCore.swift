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
}
