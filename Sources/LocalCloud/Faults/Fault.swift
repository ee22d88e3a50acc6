/// One fault the local cloud can inject into a `/v2` call.
public enum Fault: Sendable, Equatable {
    /// Answer 500 without doing anything.
    case error
    /// Answer 429 with `Retry-After` (seconds) without doing anything.
    case throttle(retryAfterSeconds: Int)
    /// Carry the call out, commit it, then close the connection without answering.
    case dropAfterCommit
}
