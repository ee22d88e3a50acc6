import CSI
import Logging
import RPC

/// The CSI Identity service, served by both csi-controller and csi-node.
public struct IdentityService: Sendable {
    public let identity: DriverIdentity
    public let capabilities: [PluginCapability]
    public let readiness: [any ReadinessCheck]
    public let logger: Logger

    /// `capabilities` must list only what the process really serves (see `PluginCapabilities`).
    public init(identity: DriverIdentity, capabilities: [PluginCapability], readiness: [any ReadinessCheck],
                logger: Logger) {
        self.identity = identity
        self.capabilities = capabilities
        self.readiness = readiness
        self.logger = logger
    }

    public func register(on server: RPCServer) {
        server.handle(CSIService.Identity.getPluginInfo) { _, _ in self.pluginInfo() }
        server.handle(CSIService.Identity.getPluginCapabilities) { _, _ in
            var response = GetPluginCapabilitiesResponse()
            response.capabilities = self.capabilities
            return response
        }
        server.handle(CSIService.Identity.probe) { _, _ in try await self.probe() }
    }

    func pluginInfo() -> GetPluginInfoResponse {
        var response = GetPluginInfoResponse()
        response.name = identity.name
        response.vendorVersion = identity.version
        return response
    }

    /// Ready (explicitly `ready: true`) when every check passes; otherwise `FAILED_PRECONDITION`
    /// naming each failing dependency, which is what the CSI spec and the livenessprobe sidecar
    /// expect from an unhealthy plugin.
    func probe() async throws -> ProbeResponse {
        var problems: [String] = []
        for check in readiness {
            if let problem = await check.problem() {
                problems.append("\(check.name): \(problem)")
            }
        }
        guard problems.isEmpty else {
            let message = "not ready: " + problems.joined(separator: "; ")
            logger.warning("probe failed", metadata: ["probe.problems": .string(message)])
            throw RPCError(.failedPrecondition, message)
        }
        var response = ProbeResponse()
        response.ready = true
        return response
    }
}
