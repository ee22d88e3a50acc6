import Metrics
import Synchronization

/// A de-duplicating, rate-limited work queue, in the shape controllers expect:
///
/// - a key added while already queued is queued once;
/// - a key added while a worker processes it is queued again only after `done(_:)`, so no key is
///   ever processed by two workers at once;
/// - `addRateLimited` delays a key by its own exponential backoff (5 s → 300 s by default),
///   `forget` resets it, `add(_:after:)` requeues at a fixed interval;
/// - `shutDown()` wakes every waiting worker with `nil`.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var waiters: [CheckedContinuation<Key?, Never>] = []
        var failures: [Key: Int] = [:]
        var delayed: [Key: ContinuousClock.Instant] = [:]
        var shuttingDown = false

        var depth: Int { queue.count - head }

        mutating func pop() -> Key? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return key
        }
    }

    public let name: String
    public let backoff: ExponentialBackoff
    private let state = Mutex(State())
    private let depthGauge: Gauge
    private let addsCounter: Counter
    private let retriesCounter: Counter

    public init(name: String, backoff: ExponentialBackoff = ExponentialBackoff()) {
        self.name = name
        self.backoff = backoff
        self.depthGauge = Gauge(label: "workqueue_depth", dimensions: [("name", name)])
        self.addsCounter = Counter(label: "workqueue_adds_total", dimensions: [("name", name)])
        self.retriesCounter = Counter(label: "workqueue_retries_total", dimensions: [("name", name)])
    }

    /// Queues `key` unless it is already waiting.
    public func add(_ key: Key) {
        let waiter: CheckedContinuation<Key?, Never>? = state.withLock { state in
            guard !state.shuttingDown, !state.dirty.contains(key) else { return nil }
            state.dirty.insert(key)
            addsCounter.increment()
            if state.processing.contains(key) { return nil }
            return hand(key, &state)
        }
        waiter?.resume(returning: key)
    }

    /// Gives a dirty key to a waiting worker (returned, to be resumed outside the lock) or
    /// appends it to the queue.
    private func hand(_ key: Key, _ state: inout State) -> CheckedContinuation<Key?, Never>? {
        if !state.waiters.isEmpty {
            state.dirty.remove(key)
            state.processing.insert(key)
            return state.waiters.removeFirst()
        }
        state.queue.append(key)
        depthGauge.record(state.depth)
        return nil
    }

    /// Queues `key` once `delay` has passed (at once for zero or less). An earlier pending
    /// delayed add of the same key wins over a later one.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        let due = ContinuousClock.now + delay
        let schedule = state.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            if let existing = state.delayed[key], existing <= due { return false }
            state.delayed[key] = due
            return true
        }
        guard schedule else { return }
        Task {
            try? await Task.sleep(until: due, clock: .continuous)
            let fire = self.state.withLock { state -> Bool in
                guard state.delayed[key] == due else { return false }
                state.delayed[key] = nil
                return true
            }
            if fire { self.add(key) }
        }
    }

    /// Queues `key` after its backoff and counts a failure against it.
    public func addRateLimited(_ key: Key) {
        let failures = state.withLock { state -> Int in
            let failures = state.failures[key, default: 0]
            state.failures[key] = failures + 1
            return failures
        }
        retriesCounter.increment()
        add(key, after: backoff.delay(afterFailures: failures))
    }

    /// Resets `key`'s backoff (after a success).
    public func forget(_ key: Key) {
        _ = state.withLock { $0.failures.removeValue(forKey: key) }
    }

    /// How many times `key` failed since it was last forgotten.
    public func failures(of key: Key) -> Int {
        state.withLock { $0.failures[key, default: 0] }
    }

    /// The next key to process, waiting for one; `nil` once the queue is shut down. The caller
    /// must call `done(_:)` with the key when finished.
    public func next() async -> Key? {
        await withCheckedContinuation { continuation in
            let key: Key?? = state.withLock { state in
                if let key = state.pop() {
                    state.dirty.remove(key)
                    state.processing.insert(key)
                    depthGauge.record(state.depth)
                    return .some(key)
                }
                if state.shuttingDown { return .some(nil) }
                state.waiters.append(continuation)
                return .none
            }
            if let key { continuation.resume(returning: key) }
        }
    }

    /// Marks `key` finished; if it was added meanwhile it is queued again now.
    public func done(_ key: Key) {
        let waiter: CheckedContinuation<Key?, Never>? = state.withLock { state in
            state.processing.remove(key)
            guard state.dirty.contains(key), !state.shuttingDown else { return nil }
            return hand(key, &state)
        }
        waiter?.resume(returning: key)
    }

    /// Stops handing out keys: waiting and future `next()` calls return `nil`.
    public func shutDown() {
        let waiters = state.withLock { state in
            state.shuttingDown = true
            state.queue.removeAll()
            state.head = 0
            state.delayed.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Keys waiting to be handed out.
    public var depth: Int { state.withLock { $0.depth } }

    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }
}
