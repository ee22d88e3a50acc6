import CSI
import RPC

/// The one place where errors become gRPC statuses for the CSI services. Handlers throw
/// `DriverError` (RPC's `RPCError`) for what they recognise (with the code the CSI spec names); errors that escape
/// from below are classified here — errors of lower layers by their `StatusConvertible`
/// conformance (the cloud API's, in the CSIController module; the command runner's, in CSINode). Unknown errors become `INTERNAL`
/// with their cause.
public enum StatusMapping {
    public static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as CSIDecodingError:
            return RPCError(.invalidArgument, "malformed request: \(error)")
        case let error as any StatusConvertible:
            return error.rpcStatus
        case is CancellationError:
            return RPCError(.cancelled, "the call was cancelled")
        default:
            return RPCError(.internal, String(describing: error))
        }
    }
}

/// An error from a layer below the CSI services that knows which gRPC status describes it.
public protocol StatusConvertible: Error {
    /// Named apart from any `status` the error already has (CloudError's HTTP status): a shared
    /// name made `status == nil` compare the RPC status, silently always false.
    var rpcStatus: RPCError { get }
}
