import CGRPC
import Synchronization

/// A gRPC client for unary calls, over one channel (one HTTP/2 connection, multiplexed).
/// For tests and tools; the CSI programs themselves are servers only.
public final class RPCClient: @unchecked Sendable {
    public let endpoint: Endpoint
    private let channel: OpaquePointer
    private let queue: CompletionQueue
    private let closed = Mutex(false)

    public init(endpoint: Endpoint) {
        GRPCCore.ensureInitialised()
        self.endpoint = endpoint
        let credentials = grpc_insecure_credentials_create()
        channel = grpc_channel_create(endpoint.coreAddress, credentials, nil)
        grpc_channel_credentials_release(credentials)
        queue = CompletionQueue(name: "grpc-client", threads: 1)
    }

    deinit {
        close()
    }

    /// Calls `method` with `request` and returns the response bytes. A non-OK status throws
    /// `RPCError` with the server's code and message; `timeout` becomes the call's deadline;
    /// cancelling the calling task cancels the call.
    public func unary(_ method: String, _ request: [UInt8], timeout: Duration? = nil) async throws(RPCError) -> [UInt8] {
        if closed.withLock({ $0 }) { throw RPCError(.unavailable, "client is closed") }
        let deadline = timeout.map { cgrpc_deadline_after_millis(Self.millis($0)) } ?? cgrpc_infinite_future()
        guard let raw = cgrpc_client_call_create(channel, queue.queue, method, deadline), raw.pointee.call != nil else {
            throw RPCError(.internal, "could not create a call for \(method)")
        }
        let call = ClientCall(raw)
        let result: Result<[UInt8], RPCError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let tag = queue.tag { _ in continuation.resume(returning: call.outcome()) }
                let rc = request.withUnsafeBufferPointer { bytes in
                    cgrpc_client_call_start_unary(raw, bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, bytes.count, tag)
                }
                if rc != GRPC_CALL_OK {
                    queue.discard(tag)
                    continuation.resume(returning: .failure(RPCError(.internal, "grpc_call_start_batch failed (\(rc.rawValue))")))
                }
            }
        } onCancel: {
            call.cancel()
        }
        return try result.get()
    }

    /// Closes the channel. Calls still in flight fail with `UNAVAILABLE` or `CANCELLED`.
    public func close() {
        let wasOpen = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard wasOpen else { return }
        grpc_channel_destroy(channel)
        queue.shutdownAndWait()
    }

    private static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// The C state of one client call; freed when the last reference (the completion tag's closure
/// and the awaiting task) goes away.
private final class ClientCall: @unchecked Sendable {
    let raw: UnsafeMutablePointer<cgrpc_client_call>

    init(_ raw: UnsafeMutablePointer<cgrpc_client_call>) {
        self.raw = raw
    }

    deinit {
        cgrpc_client_call_destroy(raw)
    }

    func cancel() {
        grpc_call_cancel(raw.pointee.call, nil)
    }

    func outcome() -> Result<[UInt8], RPCError> {
        let code = StatusCode(wire: raw.pointee.status.rawValue)
        guard code == .ok else {
            let message = withUnsafePointer(to: &raw.pointee.status_details) { slice -> String in
                let length = cgrpc_slice_length(slice)
                guard length > 0, let start = cgrpc_slice_start(slice) else { return "" }
                return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
            }
            return .failure(RPCError(code, message))
        }
        guard let message = raw.pointee.recv_message else {
            return .failure(RPCError(.internal, "the server sent status OK without a response message"))
        }
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard cgrpc_byte_buffer_copy(message, &bytes, &length) == 0, let bytes else {
            return .failure(RPCError(.internal, "the response message could not be read"))
        }
        defer { free(bytes) }
        return .success(Array(UnsafeBufferPointer(start: bytes, count: length)))
    }
}
