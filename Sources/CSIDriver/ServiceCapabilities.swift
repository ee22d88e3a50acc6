import CSI

/// The messages ControllerGetCapabilities and NodeGetCapabilities answer with, built from the list
/// of RPCs a service offers.
public enum ServiceCapabilities {
    public static func controller(_ rpcs: [ControllerServiceCapability.RPC.`Type`]) -> [ControllerServiceCapability] {
        rpcs.map { type in
            var rpc = ControllerServiceCapability.RPC(); rpc.type = type
            var capability = ControllerServiceCapability(); capability.type = .rpc(rpc)
            return capability
        }
    }

    public static func node(_ rpcs: [NodeServiceCapability.RPC.`Type`]) -> [NodeServiceCapability] {
        rpcs.map { type in
            var rpc = NodeServiceCapability.RPC(); rpc.type = type
            var capability = NodeServiceCapability(); capability.type = .rpc(rpc)
            return capability
        }
    }
}
