import CGRPC
import Synchronization

/// One unary call on the server, from `grpc_server_request_call` to the final status.
///
/// The C struct `raw` holds every out-parameter gRPC writes into; it is freed in `deinit`, which
/// cannot run before every tag (each retains this object) has come back from the completion
/// queue. Events: the call arrives → receive the request → run the handler in a task → send
/// response and status. A separate close-watch learns of cancellation (client cancel, deadline,
/// lost connection) and cancels the handler's task.
final class ServerCall: @unchecked Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var finishing = false
        var cancelledByPeer = false
    }

    let raw: UnsafeMutablePointer<cgrpc_server_call>
    private unowned let server: RPCServer
    private let queue: CompletionQueue
    private let state = Mutex(State())
    private var started = ContinuousClock.now
    private var method = ""

    init(server: RPCServer, queue: CompletionQueue) {
        guard let raw = cgrpc_server_call_create() else { fatalError("out of memory allocating a gRPC call") }
        self.raw = raw
        self.server = server
        self.queue = queue
    }

    deinit {
        cgrpc_server_call_destroy(raw)
    }

    /// Asks gRPC core for the next incoming call; `arrived` runs when one does (or with false
    /// when the server shuts down first).
    func request(on core: OpaquePointer, arrived: @escaping (ServerCall, Bool) -> Void) -> Bool {
        let tag = queue.tag { ok in arrived(self, ok) }
        guard cgrpc_server_request_call(core, raw, queue.queue, tag) == GRPC_CALL_OK else {
            queue.discard(tag)
            return false
        }
        return true
    }

    /// The call has arrived: watch for its end and read the request.
    func begin() {
        started = .now
        method = Self.string(of: raw.pointee.details.method)
        let closeTag = queue.tag { _ in self.closed() }
        if cgrpc_server_call_start_close_watch(raw, closeTag) != GRPC_CALL_OK {
            queue.discard(closeTag)
        }
        let receiveTag = queue.tag { ok in self.received(ok) }
        if cgrpc_server_call_start_receive(raw, receiveTag) != GRPC_CALL_OK {
            queue.discard(receiveTag)
            finish(nil, .internal, "could not start receiving the request")
        }
    }

    private func received(_ ok: Bool) {
        guard ok, let message = raw.pointee.recv_message else {
            finish(nil, .internal, "the request message did not arrive")
            return
        }
        var bytesPointer: UnsafeMutablePointer<UInt8>?
        var length = 0
        let copied = cgrpc_byte_buffer_copy(message, &bytesPointer, &length)
        grpc_byte_buffer_destroy(message)
        raw.pointee.recv_message = nil
        guard copied == 0, let bytesPointer else {
            finish(nil, .internal, "the request message could not be read")
            return
        }
        let request = Array(UnsafeBufferPointer(start: bytesPointer, count: length))
        free(bytesPointer)

        guard let handler = server.handler(for: method) else {
            finish(nil, .unimplemented, "unknown method \(method)")
            return
        }
        let context = CallContext(method: method, deadline: Self.instant(of: cgrpc_server_call_deadline(raw)))
        let serve: @Sendable () async -> Void = {
            do {
                let response = try await handler(request, context)
                self.finish(response, .ok, "")
            } catch {
                let status = self.server.status(for: error)
                self.finish(nil, status.code, status.message)
            }
        }
        // The handler starts right here on the completion-queue thread and runs until it first
        // suspends (a handler that never suspends answers from here); the rest runs on Swift's
        // pool. Handlers must not block (they use `Blocking.run`), so the queue is not held up.
        // Measured on csi-node (4 clients, GetPluginInfo): one thread wake-up less per call.
        let task: Task<Void, Never>
        if #available(macOS 26, *) {
            task = Task.immediate(operation: serve)
        } else {
            task = Task(operation: serve)
        }
        let cancelNow = state.withLock { state in
            state.task = task
            return state.cancelledByPeer
        }
        if cancelNow { task.cancel() }
    }

    private func closed() {
        let cancelled = raw.pointee.cancelled != 0
        guard cancelled else { return }
        let task: Task<Void, Never>? = state.withLock { state in
            state.cancelledByPeer = true
            return state.finishing ? nil : state.task
        }
        task?.cancel()
    }

    /// Sends the response (when there is one) and the status. Runs at most once per call; every
    /// call ends here, so the server's count of live calls is released exactly once.
    private func finish(_ response: [UInt8]?, _ code: StatusCode, _ message: String) {
        let first = state.withLock { state in
            defer { state.finishing = true }
            return !state.finishing
        }
        guard first else { return }
        let message = Self.bounded(message)
        let tag = queue.tag { _ in self.finished(code, message) }
        let rc: grpc_call_error = message.withCString { details in
            if let response {
                return response.withUnsafeBufferPointer { bytes in
                    cgrpc_server_call_finish(raw, bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, bytes.count,
                                             grpc_status_code(rawValue: code.rawValue), details, tag)
                }
            }
            return cgrpc_server_call_finish(raw, nil, 0, grpc_status_code(rawValue: code.rawValue),
                                            details, tag)
        }
        if rc != GRPC_CALL_OK {
            queue.discard(tag)
            finished(code, message)
        }
    }

    /// Status messages travel in the `grpc-message` trailer, which peers refuse beyond 8–16 KiB
    /// (the whole answer is then lost): they are cut to this many bytes.
    static let maximumMessageBytes = 1024

    static func bounded(_ message: String) -> String {
        BoundedText.cut(message, toBytes: maximumMessageBytes)
    }

    private func finished(_ code: StatusCode, _ message: String) {
        let peerGone = state.withLock { $0.cancelledByPeer }
        var recorded = (code, message)
        if peerGone {
            let deadline = Self.instant(of: cgrpc_server_call_deadline(raw))
            recorded = deadline.map { $0 <= .now } == true
                ? (.deadlineExceeded, "the client's deadline passed")
                : (.cancelled, "the client cancelled the call")
        }
        server.callFinished(CallRecord(method: method, code: recorded.0, message: recorded.1,
                                       duration: started.duration(to: .now)))
    }

    private static func string(of slice: grpc_slice) -> String {
        withUnsafePointer(to: slice) { pointer in
            let length = cgrpc_slice_length(pointer)
            guard length > 0, let start = cgrpc_slice_start(pointer) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
        }
    }

    static func instant(of deadline: gpr_timespec) -> ContinuousClock.Instant? {
        let millis = cgrpc_millis_until(deadline)
        guard millis != Int64.max else { return nil }
        return .now.advanced(by: .milliseconds(millis))
    }
}
