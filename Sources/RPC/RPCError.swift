/// A non-OK gRPC status: what a handler throws to answer with a specific code, and what the
/// client throws when a call ends with one.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message.isEmpty ? "\(code)" : "\(code): \(message)" }
}
