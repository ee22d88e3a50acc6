import CSI

/// Plugin capabilities derived from what a process actually serves, so GetPluginCapabilities can
/// never advertise a service that is not there.
public enum PluginCapabilities {
    /// `controllerService`: the process serves the CSI Controller service (which, for block
    /// storage in a region, also means volumes carry topology constraints).
    public static func advertised(controllerService: Bool, onlineExpansion: Bool = false) -> [PluginCapability] {
        var capabilities: [PluginCapability] = []
        if controllerService {
            capabilities.append(service(.controllerService))
            capabilities.append(service(.volumeAccessibilityConstraints))
        }
        if onlineExpansion {
            var expansion = PluginCapability.VolumeExpansion()
            expansion.type = .online
            var capability = PluginCapability()
            capability.type = .volumeExpansion(expansion)
            capabilities.append(capability)
        }
        return capabilities
    }

    private static func service(_ type: PluginCapability.Service.`Type`) -> PluginCapability {
        var service = PluginCapability.Service()
        service.type = type
        var capability = PluginCapability()
        capability.type = .service(service)
        return capability
    }
}
