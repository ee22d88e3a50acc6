import RPC

/// A failure the CSI services report to their caller: the gRPC code the CSI spec prescribes for
/// the situation, and a message naming the volume, node or path involved. Handlers throw these
/// for conditions they recognise; `StatusMapping` turns everything else into a status.
public struct DriverError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: StatusCode
    public let message: String

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidArgument(_ message: String) -> DriverError { DriverError(.invalidArgument, message) }
    public static func notFound(_ message: String) -> DriverError { DriverError(.notFound, message) }
    public static func alreadyExists(_ message: String) -> DriverError { DriverError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> DriverError { DriverError(.failedPrecondition, message) }
    public static func outOfRange(_ message: String) -> DriverError { DriverError(.outOfRange, message) }
    public static func resourceExhausted(_ message: String) -> DriverError { DriverError(.resourceExhausted, message) }
    public static func aborted(_ message: String) -> DriverError { DriverError(.aborted, message) }
    public static func unavailable(_ message: String) -> DriverError { DriverError(.unavailable, message) }
    public static func `internal`(_ message: String) -> DriverError { DriverError(.internal, message) }
}
