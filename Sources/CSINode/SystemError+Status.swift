import CSIDriver
import RPC
import SystemIO

extension SystemError: StatusConvertible {
    /// A path the CO named that cannot be created is its problem (`FAILED_PRECONDITION`: something
    /// else is in the way; `NOT_FOUND`: the parent is missing); any other failed call is internal,
    /// with the call, the path and the system's reason.
    public var rpcStatus: RPCError {
        switch call {
        case "mkdir" where isNotADirectory:
            return RPCError(.failedPrecondition, "\(path ?? "the path") exists and is not a directory")
        case "create" where isMissing:
            return RPCError(.notFound, "the parent directory of \(path ?? "the file") does not exist")
        default:
            return RPCError(.internal, description)
        }
    }
}
