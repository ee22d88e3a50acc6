import Logging
import RPC

/// A CSI plugin's gRPC server: binds the endpoint, maps errors to status codes, logs every call
/// and reports it to `onCall`. The executables run the started server as a service under their
/// `ServiceGroup` (`CSIStartup`), which on SIGTERM/SIGINT stops taking calls, lets in-flight ones
/// finish within `grace`, and removes the socket.
public struct PluginServer: Sendable {
    public let endpoint: Endpoint
    public let logger: Logger
    public var grace: Duration = .seconds(30)
    /// Called after every call (for per-RPC metrics).
    public var onCall: (@Sendable (CallRecord) -> Void)?
    /// Method path prefixes (e.g. `/csi.v1.Controller/`) whose handlers log each call themselves,
    /// with the volume it concerns; the server does not log those calls a second time.
    public var selfLoggingMethods: [String] = []

    public init(endpoint: Endpoint, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
    }

    /// Starts serving and returns the running server; its owner shuts it down.
    public func start(register: (RPCServer) -> Void) throws -> RPCServer {
        var configuration = RPCServer.Configuration(endpoint: endpoint)
        configuration.mapError = StatusMapping.status(for:)
        let logger = self.logger
        let onCall = self.onCall
        let selfLogging = self.selfLoggingMethods
        configuration.observer = { record in
            onCall?(record)
            // A successful call logs at debug, normally filtered out: decide before building
            // the metadata (measured: its dictionary and number formatting cost more per call
            // than decoding the request).
            if record.code == .ok && logger.logLevel > .debug { return }
            if selfLogging.contains(where: { record.method.hasPrefix($0) }) { return }
            let metadata: Logger.Metadata = [
                "rpc.method": .string(record.method),
                "rpc.code": .string(record.code.description),
                "rpc.duration_ms": .string(String(milliseconds(record.duration))),
            ]
            if record.code == .ok {
                logger.debug("rpc", metadata: metadata)
            } else {
                logger.info("rpc failed: \(record.message)", metadata: metadata)
            }
        }
        let server = RPCServer(configuration: configuration)
        register(server)
        try server.start()
        logger.info("serving", metadata: ["endpoint": .string(endpoint.description)])
        return server
    }
}

private func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds / 1_000_000_000_000) / 1000
}
