import Kubernetes

extension Informer {
    /// Returns `true` once the first list is in the cache, `false` if the task is cancelled
    /// first (unlike `waitUntilSynced()`, cancellation ends the wait: shutdown must not hang on an
    /// API server that never answered).
    public func synced(polling interval: Duration = .milliseconds(100)) async -> Bool {
        while !hasSynced {
            guard (try? await Task.sleep(for: interval)) != nil else { return false }
        }
        return true
    }
}
