import CSI
import CSIController
import Testing

/// Sidecars vendoring CSI 1.11 with csi-lib-utils v0.20.0 (external-provisioner v5.2.0,
/// external-attacher v4.8.0, external-resizer v1.13.0–1) panic on any enum value past 1.11's in
/// a reply; ControllerGetCapabilities is the first reply they log.
@Suite struct SidecarCompatibilityTests {
    /// The highest ControllerServiceCapability.RPC.Type value CSI 1.11 names (MODIFY_VOLUME).
    static let highestSpec111Value: Int32 = 14

    static func advertised(_ h: ControllerHarness) async throws -> [ControllerServiceCapability.RPC.`Type`] {
        let reply = try await h.call(Controller.controllerGetCapabilities, ControllerGetCapabilitiesRequest())
        return reply.capabilities.compactMap { capability in
            if case .rpc(let rpc) = capability.type { return rpc.type }
            return nil
        }
    }

    @Test func byDefaultEveryCapabilityIsOneCSI111Knows() async throws {
        try await ControllerHarness.with { h in
            let rpcs = try await Self.advertised(h)
            #expect(!rpcs.isEmpty)
            #expect(rpcs.allSatisfy { (1...Self.highestSpec111Value).contains($0.rawValue) },
                    "values past CSI 1.11: \(rpcs.filter { $0.rawValue > Self.highestSpec111Value })")
            #expect(!rpcs.contains(.getSnapshot))
            // Still served to a caller that tries it.
            var get = GetSnapshotRequest()
            get.snapshotId = "no-such-snapshot"
            #expect(await h.status(Controller.getSnapshot, get).code == .notFound)
        }
    }

    @Test func getSnapshotIsAdvertisedWhenAskedFor() async throws {
        try await ControllerHarness.with(options: { $0.advertiseGetSnapshot = true }) { h in
            let rpcs = try await Self.advertised(h)
            #expect(rpcs.contains(.getSnapshot))
            #expect(rpcs.filter { $0.rawValue > Self.highestSpec111Value } == [.getSnapshot])
        }
    }
}
