/// One CSI RPC: the gRPC method path and, as type parameters, its request and response messages.
/// The generated `CSIService.<Service>.<method>` constants (Generated/CSIMethods.swift) name them
/// all, e.g. `CSIService.Identity.getPluginInfo.path == "/csi.v1.Identity/GetPluginInfo"`.
public struct CSIMethod<Request: CSIMessage, Response: CSIMessage>: Sendable, Hashable {
    /// `/csi.v1.<Service>/<Method>`, as gRPC puts it on the wire.
    public let path: String
    /// True when the server answers with a stream of responses (SnapshotMetadata's RPCs).
    public let serverStreaming: Bool

    init(path: String, serverStreaming: Bool) {
        self.path = path
        self.serverStreaming = serverStreaming
    }
}
