import CSI

/// Plugin capabilities. In CSI they describe the plugin — the driver as a whole — not one process:
/// Mooring's plugin is csi-controller plus csi-node, and both answer GetPluginCapabilities with
/// `mooring`. Orchestrators and csi-sanity may ask either endpoint (csi-sanity asks the node's
/// whether a controller exists before it publishes volumes).
public enum PluginCapabilities {
    /// What Mooring's plugin offers: a Controller service (csi-controller) whose volumes carry
    /// region topology, and online volume expansion.
    public static let mooring = advertised(controllerService: true, onlineExpansion: true)

    /// `controllerService`: the plugin has a CSI Controller service (which, for block storage in
    /// a region, also means volumes carry topology constraints).
    static func advertised(controllerService: Bool, onlineExpansion: Bool = false) -> [PluginCapability] {
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
