import LocalCloud
import ServiceLifecycle

/// The running local cloud as one `ServiceLifecycle.Service`: it runs until the server stops by
/// itself or a graceful shutdown (a termination signal to the `ServiceGroup`) stops it.
struct LocalCloudService: Service {
    let server: LocalCloudServer

    func run() async throws {
        await withGracefulShutdownHandler {
            await server.waitUntilStopped()
        } onGracefulShutdown: {
            Task { await server.stop() }
        }
        await server.stop()
    }
}
