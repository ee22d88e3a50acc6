import CSI
import RPC

extension RPCServer {
    /// Serves one CSI method with typed messages: the request is decoded, the handler runs, the
    /// response is encoded. Errors, a malformed request among them, become statuses through the
    /// server's `mapError` (`StatusMapping` in the plugins).
    public func handle<Request, Response>(_ method: CSIMethod<Request, Response>,
                                          _ body: @escaping @Sendable (Request, CallContext) async throws -> Response) {
        precondition(!method.serverStreaming, "\(method.path) streams responses; only unary methods are served")
        register(method.path) { bytes, context in
            let request = try Request(serializedBytes: bytes)
            return try await body(request, context).serializedBytes()
        }
    }
}
