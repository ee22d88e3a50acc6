/// What a handler knows about the call it serves.
public struct CallContext: Sendable {
    /// The full method path, e.g. `/csi.v1.Identity/Probe`.
    public let method: String
    /// When the client gives up, or nil when it set no deadline. Handlers that wait on slow
    /// operations should bound their waits by it; the call's task is cancelled when it passes.
    public let deadline: ContinuousClock.Instant?

    public init(method: String, deadline: ContinuousClock.Instant?) {
        self.method = method
        self.deadline = deadline
    }

    /// Time left before the deadline (nil when there is none; zero or negative once passed).
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}

/// One finished call, as handed to the server's observer for logging and metrics.
public struct CallRecord: Sendable {
    public let method: String
    public let code: StatusCode
    public let message: String
    public let duration: Duration
}

/// A unary method implementation: request bytes in, response bytes out, or a thrown error.
public typealias UnaryHandler = @Sendable (_ request: [UInt8], _ context: CallContext) async throws -> [UInt8]
