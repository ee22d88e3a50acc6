#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking work (exec, mount, mkfs, file I/O, sleeping syscalls) on threads of its own, so
/// it never occupies Swift's cooperative pool: on a 2-core node that pool has two threads, and a
/// handler blocking one of them would stall every other call.
public enum Blocking {
    /// At most this many jobs block at once; more wait in line for a free thread.
    public static let maximumThreads = 64

    private static let pool = BlockingThreadPool(maximumThreads: maximumThreads)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit { continuation.resume(with: Result { try body() }) }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            pool.submit { continuation.resume(returning: body()) }
        }
    }
}

/// A growable pool of detached POSIX threads: a job starts at once on an idle thread, or on a new
/// thread while fewer than the maximum exist, else waits in FIFO order. Threads stay for reuse.
final class BlockingThreadPool: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `lock`.
    private var jobs: [@Sendable () -> Void] = []
    private var nextJob = 0
    private var idle = 0
    private var threads = 0
    private let maximumThreads: Int

    init(maximumThreads: Int) {
        self.maximumThreads = maximumThreads
        lock = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(lock)
        jobs.append(job)
        let waiting = jobs.count - nextJob
        let spawn = waiting > idle && threads < maximumThreads
        if spawn { threads += 1 }
        pthread_mutex_unlock(lock)
        if spawn {
            let name = "blocking"
            _ = PosixThread.spawn(name: name, detached: true) { [self] in work() }
        } else {
            pthread_cond_signal(wake)
        }
    }

    private func work() {
        while true {
            pthread_mutex_lock(lock)
            while nextJob == jobs.count {
                idle += 1
                pthread_cond_wait(wake, lock)
                idle -= 1
            }
            let job = jobs[nextJob]
            nextJob += 1
            if nextJob == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                nextJob = 0
            }
            pthread_mutex_unlock(lock)
            job()
        }
    }
}
