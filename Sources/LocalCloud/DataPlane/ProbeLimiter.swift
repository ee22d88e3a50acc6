import NIOCore
import Synchronization

/// Bounds how many health probes are connecting at once across every load balancer, so that a
/// cloud with many balancers and targets (200 × 500 in hack/bench/bench-ccm) queues its checks instead
/// of opening a socket per target in the same instant and running out of file descriptors.
/// Probes beyond the bound wait, in order, for a running one to finish.
final class ProbeLimiter: Sendable {
    /// Shared by every ``HealthMonitor`` of the process.
    static let shared = ProbeLimiter(limit: 256)

    let limit: Int
    private let state: Mutex<State>

    private struct State {
        var running = 0
        var waiting: [@Sendable () -> Void] = []
        var peak = 0
    }

    init(limit: Int) {
        precondition(limit > 0, "a probe limit must be positive")
        self.limit = limit
        state = Mutex(State())
    }

    /// The most probes that were ever running at once (for tests).
    var peak: Int { state.withLock { $0.peak } }

    /// Runs `probe` now if fewer than `limit` are running, else once one finishes; the returned
    /// future completes with the probe's outcome on `loop`.
    func run(on loop: any EventLoop, _ probe: @escaping @Sendable () -> EventLoopFuture<Bool>) -> EventLoopFuture<Bool> {
        let promise = loop.makePromise(of: Bool.self)
        let start: @Sendable () -> Void = {
            probe().whenComplete { result in
                self.finished()
                promise.completeWith(result)
            }
        }
        let now = state.withLock { state -> Bool in
            guard state.running < limit else {
                // Started later on its own loop, never from inside the finishing probe's callback,
                // so a run of probes that complete at once cannot nest one start inside another.
                state.waiting.append { loop.execute(start) }
                return false
            }
            state.running += 1
            state.peak = max(state.peak, state.running)
            return true
        }
        if now { start() }
        return promise.futureResult
    }

    private func finished() {
        let next = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?()
    }
}
