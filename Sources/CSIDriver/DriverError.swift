import RPC

/// A failure the CSI services report to their caller: the gRPC code the CSI spec prescribes for
/// the situation, and a message naming the volume, node or path involved. It is `RPC`'s own
/// status error under the name the plugins use, so a handler's failure reaches the wire as it was
/// thrown; `StatusMapping` turns every other error into a status.
public typealias DriverError = RPCError

extension RPCError {
    public static func invalidArgument(_ message: String) -> RPCError { RPCError(.invalidArgument, message) }
    public static func notFound(_ message: String) -> RPCError { RPCError(.notFound, message) }
    public static func alreadyExists(_ message: String) -> RPCError { RPCError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> RPCError { RPCError(.failedPrecondition, message) }
    public static func outOfRange(_ message: String) -> RPCError { RPCError(.outOfRange, message) }
    public static func resourceExhausted(_ message: String) -> RPCError { RPCError(.resourceExhausted, message) }
    public static func aborted(_ message: String) -> RPCError { RPCError(.aborted, message) }
    public static func unavailable(_ message: String) -> RPCError { RPCError(.unavailable, message) }
    public static func `internal`(_ message: String) -> RPCError { RPCError(.internal, message) }
}
