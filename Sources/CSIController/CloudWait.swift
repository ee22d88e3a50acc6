import CloudAPI
import CSIDriver

/// Waits for a cloud resource to reach a state by polling, first after `firstCheck` (the time
/// the change usually takes, so the common case costs one call), then backing off to 5 s. Gives
/// up at `deadline` with `DEADLINE_EXCEEDED`; the sidecar retries the whole call. A look at the
/// cloud still under way at the deadline is abandoned (it only reads), so the answer is never
/// later than the deadline however slow the cloud is.
enum CloudWait {
    static func until<T: Sendable>(_ what: String, deadline: ContinuousClock.Instant, firstCheck: Duration,
                                   fetch: @escaping @Sendable () async throws -> T, done: (T) -> Bool) async throws -> T {
        let late = DriverError(.deadlineExceeded, "\(what): not done before the call's deadline")
        var pause = firstCheck
        var interval = max(firstCheck, .milliseconds(250))
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw late }
            if pause > .zero { try await Task.sleep(for: min(pause, left)) }
            guard ContinuousClock.now < deadline else { throw late }
            let value = try await beforeDeadline(deadline, late, fetch)
            if done(value) { return value }
            pause = interval
            interval = min(interval * 1.5, .seconds(5))
        }
    }

    /// `fetch`'s result, or `late` thrown at `deadline` (the fetch is cancelled then).
    private static func beforeDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, _ late: DriverError, _ fetch: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await fetch() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw late }
            return value
        }
    }
}
