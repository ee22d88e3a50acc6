import Kubernetes
import Logging
import ServiceLifecycle

/// The loop of the periodic controllers: once `informer` has synced, `pass` at once and then
/// every `period`, until the task is cancelled or the service group shuts down gracefully.
public func runPeriodically<Resource: KubernetesResource>(
    every period: Duration, after informer: Informer<Resource>, _ pass: @escaping @Sendable () async -> Void
) async {
    await cancelWhenGracefulShutdown {
        guard await informer.synced() else { return }
        repeat {
            await pass()
        } while (try? await Task.sleep(for: period)) != nil
    }
}

extension Logger {
    /// This logger with `controller` metadata set to `name`.
    public func controller(_ name: String) -> Logger {
        var logger = self
        logger[metadataKey: "controller"] = "\(name)"
        return logger
    }
}
