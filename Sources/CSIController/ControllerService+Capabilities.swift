import CSI

extension ControllerService {
    /// Exactly the RPCs `register(on:)` serves. GET_CAPACITY is absent: the cloud cannot tell.
    static let advertisedRPCs: [ControllerServiceCapability.RPC.`Type`] = [
        .createDeleteVolume, .publishUnpublishVolume, .listVolumes, .listVolumesPublishedNodes, .getVolume,
        .volumeCondition, .expandVolume, .cloneVolume, .createDeleteSnapshot, .listSnapshots, .getSnapshot,
        .singleNodeMultiWriter,
    ]

    func capabilities() -> ControllerGetCapabilitiesResponse {
        var response = ControllerGetCapabilitiesResponse()
        response.capabilities = Self.advertisedRPCs.map { type in
            var rpc = ControllerServiceCapability.RPC()
            rpc.type = type
            var capability = ControllerServiceCapability()
            capability.type = .rpc(rpc)
            return capability
        }
        return response
    }
}
