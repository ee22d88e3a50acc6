/// A reason a Service's load balancer cannot be synced right now (retried with backoff).
struct ServiceSyncError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
