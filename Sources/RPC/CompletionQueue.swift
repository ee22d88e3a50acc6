import CGRPC
import SystemIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One gRPC completion queue and the dedicated threads that drain it.
///
/// Every operation handed to gRPC core carries a tag made by `tag(_:)`: a retained Swift closure
/// box whose pointer gRPC hands back with the completion event. The drain thread takes the box
/// back (releasing it) and runs the closure, so each tag is released exactly once — either here
/// or, when the operation never started, by `discard(_:)`. Closures run on the drain thread and
/// must return quickly: they only record results and hand real work to tasks.
final class CompletionQueue: @unchecked Sendable {
    private final class Completion {
        let body: (Bool) -> Void
        init(_ body: @escaping (Bool) -> Void) { self.body = body }
    }

    /// gRPC completion queues are thread-safe; the wrapper only tells the compiler so.
    private struct SendableQueue: @unchecked Sendable { let pointer: OpaquePointer }

    let queue: OpaquePointer
    private var threads: [pthread_t] = []

    init(name: String, threads count: Int = 1) {
        GRPCCore.ensureInitialised()
        queue = grpc_completion_queue_create_for_next(nil)
        for index in 0..<max(1, count) {
            let queue = SendableQueue(pointer: queue)
            threads.append(PosixThread.spawn(name: "\(name)-\(index)") { Self.drain(queue.pointer) })
        }
    }

    /// Wraps `body` as a tag for one gRPC operation.
    func tag(_ body: @escaping (Bool) -> Void) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(Completion(body)).toOpaque()
    }

    /// Releases a tag whose operation was refused by gRPC core, so no event will ever carry it.
    func discard(_ tag: UnsafeMutableRawPointer) {
        Unmanaged<Completion>.fromOpaque(tag).release()
    }

    /// Shuts the queue down and waits for the drain threads to see the shutdown event. Callers
    /// first make sure nothing can post to the queue any more (server destroyed, calls done).
    func shutdownAndWait() {
        grpc_completion_queue_shutdown(queue)
        for thread in threads {
            pthread_join(thread, nil)
        }
        threads.removeAll()
        grpc_completion_queue_destroy(queue)
    }

    private static func drain(_ queue: OpaquePointer) {
        while true {
            let event = grpc_completion_queue_next(queue, gpr_inf_future(GPR_CLOCK_REALTIME), nil)
            switch event.type {
            case GRPC_OP_COMPLETE:
                guard let raw = event.tag else { continue }
                let completion = Unmanaged<Completion>.fromOpaque(raw).takeRetainedValue()
                completion.body(event.success != 0)
            case GRPC_QUEUE_SHUTDOWN:
                return
            default:
                continue
            }
        }
    }
}
