import CSI
import CSIDriver

extension ControllerService {
    /// The RPCs `register(on:)` serves that every CSI 1.11 client knows by number. GET_CAPACITY is
    /// absent: the cloud cannot tell.
    static let spec111RPCs: [ControllerServiceCapability.RPC.`Type`] = [
        .createDeleteVolume, .publishUnpublishVolume, .listVolumes, .listVolumesPublishedNodes, .getVolume,
        .volumeCondition, .expandVolume, .cloneVolume, .createDeleteSnapshot, .listSnapshots,
        .singleNodeMultiWriter,
    ]

    /// What ControllerGetCapabilities lists. GET_SNAPSHOT (value 15, new in CSI 1.12) only when
    /// asked for: sidecars built on csi-lib-utils v0.20.0 (external-provisioner v5.2.0,
    /// external-attacher v4.8.0, external-resizer v1.13.0–v1.13.1) turn every reply into a log
    /// string through protosanitizer whatever the log level, and it calls `Name()` on the enum
    /// value descriptor that their vendored CSI 1.11 lacks for 15: a nil dereference, so they
    /// crash-loop at start-up. No kubernetes-csi sidecar up to external-provisioner v6.3 and
    /// external-snapshotter v8.6 looks for GET_SNAPSHOT, so leaving it out costs the newer ones
    /// nothing; GetSnapshot itself is served either way.
    static func advertisedRPCs(getSnapshot: Bool) -> [ControllerServiceCapability.RPC.`Type`] {
        getSnapshot ? spec111RPCs + [.getSnapshot] : spec111RPCs
    }

    func capabilities() -> ControllerGetCapabilitiesResponse {
        var response = ControllerGetCapabilitiesResponse()
        response.capabilities = ServiceCapabilities.controller(Self.advertisedRPCs(getSnapshot: options.advertiseGetSnapshot))
        return response
    }
}
