/// Polls until a condition holds or time runs out, backing off from 250 ms to 5 s between tries.
enum Poller {
    static func wait<T: Sendable>(
        for what: String, path: String, timeout: Duration, fetch: () async throws -> T, until done: (T) -> Bool
    ) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var interval = Duration.milliseconds(250)
        while true {
            let value = try await fetch()
            if done(value) { return value }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw CloudError(code: .timeout, message: "\(what) not reached within \(timeout)", path: path)
            }
            try await Task.sleep(for: min(interval, now.duration(to: deadline)))
            interval = min(interval * 1.5, .seconds(5))
        }
    }
}
