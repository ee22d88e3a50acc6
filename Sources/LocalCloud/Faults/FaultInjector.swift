import Synchronization

/// Decides, per call, which fault (if any) to inject: first any faults queued by a test
/// (deterministic), then the random rates of the ``FaultSpec``.
final class FaultInjector: Sendable {
    private struct State {
        var spec: FaultSpec
        var queued: [Fault] = []
    }
    private let state: Mutex<State>

    init(spec: FaultSpec) {
        state = Mutex(State(spec: spec))
    }

    var latencyMilliseconds: Int { state.withLock { $0.spec.latencyMilliseconds } }

    func setSpec(_ spec: FaultSpec) { state.withLock { $0.spec = spec } }

    func enqueue(_ fault: Fault, count: Int) {
        state.withLock { $0.queued.append(contentsOf: repeatElement(fault, count: count)) }
    }

    /// The fault for the next call, consuming a queued one first.
    func next() -> Fault? {
        state.withLock { state in
            if !state.queued.isEmpty { return state.queued.removeFirst() }
            let spec = state.spec
            if spec.errorRate > 0, Double.random(in: 0..<1) < spec.errorRate { return .error }
            if spec.throttleRate > 0, Double.random(in: 0..<1) < spec.throttleRate {
                return .throttle(retryAfterSeconds: 1)
            }
            if spec.dropAfterCommitRate > 0, Double.random(in: 0..<1) < spec.dropAfterCommitRate {
                return .dropAfterCommit
            }
            return nil
        }
    }
}
