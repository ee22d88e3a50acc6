import CloudAPI
import CSIDriver
import RPC

/// Cloud failures that no handler interpreted in context. Transient ones map to codes the
/// sidecars retry (`UNAVAILABLE`, `DEADLINE_EXCEEDED`); the message keeps the API's own words and
/// the request (never the key).
extension CloudError: StatusConvertible {
    public var rpcStatus: RPCError {
        RPCError(Self.statusCode(for: code), "cloud API: \(self)")
    }

    static func statusCode(for code: CloudError.Code) -> StatusCode {
        switch code {
        case .notFound: .notFound
        case .conflict: .failedPrecondition
        case .invalidInput: .invalidArgument
        case .busy, .rateLimited, .unavailable, .transport: .unavailable
        case .timeout: .deadlineExceeded
        case .unauthorized: .unauthenticated
        case .unsupported: .unimplemented
        default: .internal
        }
    }
}
