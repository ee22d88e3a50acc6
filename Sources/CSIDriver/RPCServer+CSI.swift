import CSI
import RPC

extension RPCServer {
    /// Serves one CSI method with typed messages: the request is decoded (malformed bytes →
    /// `INVALID_ARGUMENT` naming the message type), the handler runs, the response is encoded.
    public func handle<Request, Response>(_ method: CSIMethod<Request, Response>,
                                          _ body: @escaping @Sendable (Request, CallContext) async throws -> Response) {
        precondition(!method.serverStreaming, "\(method.path) streams responses; only unary methods are served")
        register(method.path) { bytes, context in
            let request: Request
            do {
                request = try Request(serializedBytes: bytes)
            } catch {
                throw RPCError(.invalidArgument, "malformed request: \(error)")
            }
            return try await body(request, context).serializedBytes()
        }
    }
}
