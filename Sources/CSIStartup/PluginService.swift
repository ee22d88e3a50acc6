import CSIDriver
import Logging
import RPC
import ServiceLifecycle

/// A started plugin server as a `Service`: it serves until the group's graceful shutdown (SIGTERM
/// or SIGINT), then stops taking calls, lets in-flight ones finish within the grace period, and
/// removes the socket.
struct PluginService: Service {
    let server: RPCServer
    let grace: Duration
    let logger: Logger

    func run() async throws {
        // Returns on graceful shutdown, throws on cancellation: either way, drain.
        try? await gracefulShutdown()
        logger.info("shutting down", metadata: ["grace.seconds": "\(grace.components.seconds)"])
        await server.shutdown(grace: grace)
        logger.info("stopped")
    }
}
