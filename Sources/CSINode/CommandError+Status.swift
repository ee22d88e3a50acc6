import CSIDriver
import RPC
import SystemIO

extension CommandError: StatusConvertible {
    /// A tool that hung past its limit is a timeout the CO may retry; any other failure of mount,
    /// mkfs and friends is internal, with the tool's own words.
    public var rpcStatus: RPCError {
        if case .timedOut = reason { return RPCError(.deadlineExceeded, description) }
        return RPCError(.internal, description)
    }
}
