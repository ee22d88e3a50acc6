/// Runs `body` again while it fails with `.conflict` (a stale resourceVersion), up to `attempts`
/// times in all, pausing `backoff` (doubling) in between. Any other error is thrown at once.
public func retryOnConflict<T>(
    attempts: Int = 5, backoff: Duration = .milliseconds(10), _ body: () async throws -> T
) async throws -> T {
    var delay = backoff
    var attempt = 1
    while true {
        do {
            return try await body()
        } catch let error as KubernetesError where error.code == .conflict && attempt < attempts {
            attempt += 1
            try await Task.sleep(for: delay)
            delay *= 2
        }
    }
}
