import Logging
import Metrics
import ServiceLifecycle

/// N workers draining a `WorkQueue` through a reconcile function. A thrown error requeues the
/// key with its exponential backoff; `.requeue(after:)` requeues at a fixed interval; `.done`
/// resets the backoff. Runs as a `Service` until cancelled or gracefully shut down.
public final class Controller<Key: Hashable & Sendable & CustomStringConvertible>: ServiceLifecycle.Service, Sendable {
    public let name: String
    public let queue: WorkQueue<Key>
    public let workers: Int
    private let reconcile: @Sendable (Key) async throws -> ReconcileResult
    private let logger: Logger

    public init(
        name: String, queue: WorkQueue<Key>? = nil, workers: Int = 1, logger: Logger,
        reconcile: @escaping @Sendable (Key) async throws -> ReconcileResult
    ) {
        self.name = name
        self.queue = queue ?? WorkQueue(name: name)
        self.workers = max(1, workers)
        self.logger = logger
        self.reconcile = reconcile
    }

    public func run() async throws {
        await withTaskCancellationHandler {
            await cancelWhenGracefulShutdown {
                await withDiscardingTaskGroup { group in
                    for _ in 0..<self.workers {
                        group.addTask { await self.work() }
                    }
                }
            }
        } onCancel: {
            queue.shutDown()
        }
    }

    private func work() async {
        let duration = Timer(label: "controller_reconcile_duration_seconds", dimensions: [("controller", name)])
        let errors = Counter(label: "controller_reconcile_errors_total", dimensions: [("controller", name)])
        while let key = await queue.next() {
            let started = ContinuousClock.now
            do {
                switch try await reconcile(key) {
                case .done:
                    queue.forget(key)
                case .requeue(let interval):
                    queue.forget(key)
                    queue.add(key, after: interval)
                }
            } catch {
                errors.increment()
                logger.info(
                    "reconcile failed; will retry with backoff",
                    metadata: [
                        "controller": "\(name)", "key": "\(key)", "error": "\(error)",
                        "retry.failures": "\(queue.failures(of: key) + 1)",
                    ])
                queue.addRateLimited(key)
            }
            duration.recordNanoseconds(Int64((ContinuousClock.now - started).nanoseconds))
            queue.done(key)
        }
    }
}
