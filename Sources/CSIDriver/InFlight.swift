import Synchronization

/// Per-key guard against concurrent operations on the same volume: the CSI spec asks a plugin to
/// answer `ABORTED` when an operation is already running for a volume, and the sidecars retry.
public final class InFlight: Sendable {
    private let keys = Mutex<Set<String>>([])

    public init() {}

    /// Runs `body` while holding `key`; throws `ABORTED` at once when `key` is already held.
    public func run<T: Sendable>(_ key: String, operation: String,
                                 _ body: () async throws -> T) async throws -> T {
        let acquired = keys.withLock { $0.insert(key).inserted }
        guard acquired else {
            throw DriverError.aborted("an operation on \(key) is already in progress; retry \(operation) later")
        }
        defer { _ = keys.withLock { $0.remove(key) } }
        return try await body()
    }

    public var count: Int { keys.withLock { $0.count } }
}
