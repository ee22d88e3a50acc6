import CloudAPI
import CSIDriver

/// Waits for a cloud resource to reach a state by polling, first after `firstCheck` (the time
/// the change usually takes, so the common case costs one call), then backing off to 5 s. Gives
/// up at `deadline` with `DEADLINE_EXCEEDED`; the sidecar retries the whole call.
enum CloudWait {
    static func until<T: Sendable>(_ what: String, deadline: ContinuousClock.Instant, firstCheck: Duration,
                                   fetch: () async throws -> T, done: (T) -> Bool) async throws -> T {
        var pause = firstCheck
        var interval = max(firstCheck, .milliseconds(250))
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw DriverError(.deadlineExceeded, "\(what): not done before the call's deadline") }
            if pause > .zero { try await Task.sleep(for: min(pause, left)) }
            let value = try await fetch()
            if done(value) { return value }
            pause = interval
            interval = min(interval * 1.5, .seconds(5))
        }
    }
}
