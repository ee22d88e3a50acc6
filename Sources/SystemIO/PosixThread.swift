import CSystemIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain POSIX threads. Foundation's `Thread` would pull Foundation into every binary (megabytes
/// of resident memory in csi-node), and Dispatch's workers are the same CPU-count-limited pool
/// that runs Swift's cooperative executor on Linux, so neither fits work that must block.
package enum PosixThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a thread named `name` (first 15 bytes: the kernel's limit) running `body`.
    /// Joinable unless `detached`.
    package static func spawn(name: String, detached: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        let threadName = String(name.prefix(15))
        let box = Unmanaged.passRetained(Body {
            csystemio_name_current_thread(threadName)
            body()
        }).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed with \(rc) for \(name)")
        if detached { pthread_detach(thread) }
        return thread
    }
}
